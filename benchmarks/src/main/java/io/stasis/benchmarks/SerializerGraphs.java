package io.stasis.benchmarks;

import java.io.Serializable;
import java.math.BigDecimal;
import java.math.RoundingMode;
import java.time.Instant;
import java.time.LocalDateTime;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.SplittableRandom;

/**
 * The object graphs {@link SerializerComparisonBenchmark} serializes, application-style classes and
 * records with deep {@code equals}, all {@link Serializable} so that JDK serialization can take part.
 * Each is generated deterministically (fixed values, or a fixed seed):
 *
 * <ul>
 *   <li>{@code media}: the classic media-content object of the jvm-serializers suite: one
 *       {@link Media} with two persons and two {@link Image}s.</li>
 *   <li>{@code order}: one {@link Order} of {@value #ORDER_LINES} lines over a catalogue of
 *       {@value #CATALOGUE} products (shared between lines), with a customer whose shipping address
 *       is also the order's delivery address (one shared instance), {@link BigDecimal} prices,
 *       {@link LocalDateTime} and {@link Instant} timestamps and an enum status.</li>
 *   <li>{@code map10mb}: a {@code HashMap<String, Quote>} of {@value #QUOTES} entries.</li>
 *   <li>{@code mixed100mb}: {@link MixedState} of {@value #MIXED_UNITS} units.</li>
 * </ul>
 *
 * <p>The sizes (234 bytes, 19.6 KB, 10.0 MiB and 100.1 MiB) are those Kryo's
 * {@code FieldSerializer} writes with references on and no registration (so with class names:
 * jvm-serializers' 200-odd bytes for {@code media} are with registered classes); every serializer
 * writes the same graph.
 */
public final class SerializerGraphs {

    static final long SEED = 42;
    static final int ORDER_LINES = 150;
    static final int CATALOGUE = 60;
    static final int QUOTES = 221_000;
    static final int MIXED_UNITS = 385_000;

    private SerializerGraphs() {
    }

    /** A new instance of the graph named {@code name}. */
    public static Object create(String name) {
        switch (name) {
            case "media":
                return media();
            case "order":
                return order(SEED);
            case "map10mb":
                return quotes(QUOTES, SEED);
            case "mixed100mb":
                return MixedState.generate(MIXED_UNITS, SEED);
            default:
                throw new IllegalArgumentException("unknown graph: " + name);
        }
    }

    /**
     * Throws unless the references that the original graph shares are shared in {@code copy} too:
     * {@code equals} alone cannot tell a shared instance from two equal ones.
     */
    public static void checkSharedReferences(Object copy) {
        if (copy instanceof Order) {
            Order order = (Order) copy;
            check(order.deliverTo == order.customer.shipping, "order: delivery address no longer the customer's instance");
            Map<String, Product> bySku = new HashMap<>();
            Map<Product, Boolean> distinct = new IdentityHashMap<>();
            for (OrderLine line : order.lines) {
                Product first = bySku.putIfAbsent(line.product.sku(), line.product);
                check(first == null || first == line.product, "order: product " + line.product.sku() + " no longer shared");
                distinct.put(line.product, Boolean.TRUE);
            }
            check(distinct.size() == bySku.size(), "order: products duplicated");
        }
    }

    private static void check(boolean condition, String message) {
        if (!condition) {
            throw new IllegalStateException(message);
        }
    }

    // ---------------------------------------------------------------- media

    public enum Player {
        JAVA, FLASH
    }

    public enum Size {
        SMALL, LARGE
    }

    /** The root of the media graph: one media item and its images. */
    public static final class MediaContent implements Serializable {
        private static final long serialVersionUID = 1L;

        Media media;
        List<Image> images;

        public MediaContent() {
        }

        MediaContent(Media media, List<Image> images) {
            this.media = media;
            this.images = images;
        }

        @Override
        public boolean equals(Object o) {
            return o instanceof MediaContent && Objects.equals(media, ((MediaContent) o).media)
                    && Objects.equals(images, ((MediaContent) o).images);
        }

        @Override
        public int hashCode() {
            return Objects.hash(media, images);
        }
    }

    public static final class Media implements Serializable {
        private static final long serialVersionUID = 1L;

        String uri;
        String title;
        int width;
        int height;
        String format;
        long duration;
        long size;
        int bitrate;
        boolean hasBitrate;
        List<String> persons;
        Player player;
        String copyright;

        public Media() {
        }

        @Override
        public boolean equals(Object o) {
            if (!(o instanceof Media)) {
                return false;
            }
            Media m = (Media) o;
            return width == m.width && height == m.height && duration == m.duration && size == m.size
                    && bitrate == m.bitrate && hasBitrate == m.hasBitrate && Objects.equals(uri, m.uri)
                    && Objects.equals(title, m.title) && Objects.equals(format, m.format)
                    && Objects.equals(persons, m.persons) && player == m.player && Objects.equals(copyright, m.copyright);
        }

        @Override
        public int hashCode() {
            return Objects.hash(uri, title, width, height, format, duration, size, bitrate, hasBitrate, persons, player,
                    copyright);
        }
    }

    public static final class Image implements Serializable {
        private static final long serialVersionUID = 1L;

        String uri;
        String title;
        int width;
        int height;
        Size size;

        public Image() {
        }

        Image(String uri, String title, int width, int height, Size size) {
            this.uri = uri;
            this.title = title;
            this.width = width;
            this.height = height;
            this.size = size;
        }

        @Override
        public boolean equals(Object o) {
            if (!(o instanceof Image)) {
                return false;
            }
            Image i = (Image) o;
            return width == i.width && height == i.height && Objects.equals(uri, i.uri) && Objects.equals(title, i.title)
                    && size == i.size;
        }

        @Override
        public int hashCode() {
            return Objects.hash(uri, title, width, height, size);
        }
    }

    /** The values of jvm-serializers' media content (its URIs without a host). */
    static MediaContent media() {
        Media media = new Media();
        media.uri = "/media/keynote.mpg";
        media.title = "Javaone Keynote";
        media.width = 640;
        media.height = 480;
        media.format = "video/mpg4";
        media.duration = 18_000_000;
        media.size = 58_982_400;
        media.bitrate = 262_144;
        media.hasBitrate = true;
        media.persons = new ArrayList<>(List.of("Bill Gates", "Steve Jobs"));
        media.player = Player.JAVA;
        media.copyright = null;
        List<Image> images = new ArrayList<>(2);
        images.add(new Image("/media/keynote_large.jpg", "Javaone Keynote", 1024, 768, Size.LARGE));
        images.add(new Image("/media/keynote_small.jpg", "Javaone Keynote", 320, 240, Size.SMALL));
        return new MediaContent(media, images);
    }

    // ---------------------------------------------------------------- order

    public enum OrderStatus {
        NEW, PAID, PACKED, SHIPPED, DELIVERED, CANCELLED
    }

    public record Address(String street, String postalCode, String city, String country) implements Serializable {
    }

    public record Product(String sku, String name, String category, String description, BigDecimal listPrice,
            int weightGrams) implements Serializable {
    }

    public static final class Customer implements Serializable {
        private static final long serialVersionUID = 1L;

        long id;
        String name;
        String login;
        Address billing;
        Address shipping;
        Instant since;

        public Customer() {
        }

        @Override
        public boolean equals(Object o) {
            if (!(o instanceof Customer)) {
                return false;
            }
            Customer c = (Customer) o;
            return id == c.id && Objects.equals(name, c.name) && Objects.equals(login, c.login)
                    && Objects.equals(billing, c.billing) && Objects.equals(shipping, c.shipping)
                    && Objects.equals(since, c.since);
        }

        @Override
        public int hashCode() {
            return Objects.hash(id, name, login, billing, shipping, since);
        }
    }

    public static final class OrderLine implements Serializable {
        private static final long serialVersionUID = 1L;

        int number;
        Product product;
        int quantity;
        BigDecimal unitPrice;
        BigDecimal discount;
        BigDecimal lineTotal;
        LocalDateTime added;
        String picking;
        String note;

        public OrderLine() {
        }

        @Override
        public boolean equals(Object o) {
            if (!(o instanceof OrderLine)) {
                return false;
            }
            OrderLine l = (OrderLine) o;
            return number == l.number && quantity == l.quantity && Objects.equals(product, l.product)
                    && Objects.equals(unitPrice, l.unitPrice) && Objects.equals(discount, l.discount)
                    && Objects.equals(lineTotal, l.lineTotal) && Objects.equals(added, l.added)
                    && Objects.equals(picking, l.picking) && Objects.equals(note, l.note);
        }

        @Override
        public int hashCode() {
            return Objects.hash(number, product, quantity, unitPrice, discount, lineTotal, added, picking, note);
        }
    }

    public static final class Order implements Serializable {
        private static final long serialVersionUID = 1L;

        String id;
        Customer customer;
        Address deliverTo;
        OrderStatus status;
        LocalDateTime created;
        Instant updated;
        String currency;
        List<OrderLine> lines;
        BigDecimal total;

        public Order() {
        }

        @Override
        public boolean equals(Object o) {
            if (!(o instanceof Order)) {
                return false;
            }
            Order r = (Order) o;
            return Objects.equals(id, r.id) && Objects.equals(customer, r.customer) && Objects.equals(deliverTo, r.deliverTo)
                    && status == r.status && Objects.equals(created, r.created) && Objects.equals(updated, r.updated)
                    && Objects.equals(currency, r.currency) && Objects.equals(lines, r.lines) && Objects.equals(total, r.total);
        }

        @Override
        public int hashCode() {
            return Objects.hash(id, customer, deliverTo, status, created, updated, currency, lines, total);
        }
    }

    private static final String[] CATEGORIES = {"books", "garden", "kitchen", "office", "toys", "tools", "audio"};
    private static final String[] WORDS = {"compact", "steel", "walnut", "large", "blue", "classic", "folding",
        "wireless", "organic", "travel", "spare", "heavy-duty"};
    private static final String[] NOUNS = {"kettle", "lamp", "notebook", "drill", "speaker", "planter", "chair",
        "puzzle", "backpack", "knife set"};
    private static final String[] DESCRIPTION_WORDS = {"durable", "lightweight", "dishwasher-safe", "recycled",
        "packaging", "with", "and", "two-year", "warranty", "adjustable", "replaceable", "filter", "battery",
        "included", "matte", "finish", "stainless", "handle", "non-slip", "base", "for", "indoor", "outdoor", "use"};
    private static final String[] NOTES = {"gift wrap requested", "ship with the rest of the order",
        "customer asked for invoice copy", "replacement for damaged item", "back-ordered, ships later", ""};

    static Order order(long seed) {
        SplittableRandom random = new SplittableRandom(seed);
        Product[] catalogue = new Product[CATALOGUE];
        for (int i = 0; i < catalogue.length; i++) {
            catalogue[i] = new Product(String.format("SKU-%06d", random.nextInt(1_000_000)),
                    WORDS[random.nextInt(WORDS.length)] + " " + NOUNS[random.nextInt(NOUNS.length)],
                    CATEGORIES[random.nextInt(CATEGORIES.length)], description(random), cents(random.nextLong(199, 99_999)),
                    random.nextInt(50, 20_000));
        }
        Customer customer = new Customer();
        customer.id = random.nextLong(1L << 40);
        customer.name = "Jane Example-" + random.nextInt(10_000);
        customer.login = "jane" + random.nextInt(10_000);
        customer.billing = new Address("12 Market Street, Flat " + random.nextInt(100), "10115", "Berlin", "DE");
        customer.shipping = new Address(random.nextInt(1, 300) + " Harbour Road", "20457", "Hamburg", "DE");
        customer.since = Instant.ofEpochSecond(1_500_000_000L + random.nextLong(200_000_000L), random.nextInt(1_000_000) * 1000);

        Order order = new Order();
        order.id = "ORD-" + Long.toString(random.nextLong(1L << 50), 36).toUpperCase(Locale.ROOT);
        order.customer = customer;
        order.deliverTo = customer.shipping;
        order.status = OrderStatus.PAID;
        order.created = LocalDateTime.of(2024, 3, 14, 9, 26, 53, 589_000_000);
        order.currency = "EUR";
        order.lines = new ArrayList<>(ORDER_LINES);
        BigDecimal total = BigDecimal.ZERO;
        LocalDateTime clock = order.created;
        for (int i = 0; i < ORDER_LINES; i++) {
            OrderLine line = new OrderLine();
            line.number = i + 1;
            line.product = catalogue[random.nextInt(catalogue.length)];
            line.quantity = random.nextInt(1, 12);
            line.unitPrice = line.product.listPrice();
            line.discount = random.nextInt(4) == 0 ? new BigDecimal("0." + random.nextInt(5, 30)) : BigDecimal.ZERO;
            line.lineTotal = line.unitPrice.multiply(BigDecimal.valueOf(line.quantity))
                    .multiply(BigDecimal.ONE.subtract(line.discount)).setScale(2, RoundingMode.HALF_EVEN);
            clock = clock.plusSeconds(random.nextInt(1, 90)).plusNanos(random.nextInt(1_000_000) * 1000L);
            line.added = clock;
            line.picking = String.format(Locale.ROOT, "aisle %d, bin %02d-%02d, lot L%08d, station %d",
                    random.nextInt(1, 40), random.nextInt(100), random.nextInt(100), random.nextInt(100_000_000),
                    random.nextInt(1, 9));
            line.note = NOTES[random.nextInt(NOTES.length)];
            total = total.add(line.lineTotal);
            order.lines.add(line);
        }
        order.total = total;
        order.updated = Instant.ofEpochSecond(1_710_408_413L + random.nextInt(86_400), random.nextInt(1_000_000_000));
        return order;
    }

    private static String description(SplittableRandom random) {
        StringBuilder text = new StringBuilder();
        for (int i = random.nextInt(8, 14); i > 0; i--) {
            text.append(text.length() == 0 ? "" : " ").append(DESCRIPTION_WORDS[random.nextInt(DESCRIPTION_WORDS.length)]);
        }
        return text.toString();
    }

    private static BigDecimal cents(long cents) {
        return BigDecimal.valueOf(cents, 2);
    }

    // ---------------------------------------------------------------- map10mb

    /** A market quote: the value type of the map graph. */
    public record Quote(String symbol, String venue, long timestamp, double bid, double ask, long bidSize,
            long askSize, int flags) implements Serializable {
    }

    private static final String[] VENUES = {"XETR", "XPAR", "XAMS", "XLON", "XMIL", "XSWX"};

    static HashMap<String, Quote> quotes(int count, long seed) {
        SplittableRandom random = new SplittableRandom(seed);
        String[] symbols = new String[500];
        for (int i = 0; i < symbols.length; i++) {
            symbols[i] = "S" + Integer.toString(random.nextInt(36 * 36 * 36 * 36), 36).toUpperCase(Locale.ROOT);
        }
        HashMap<String, Quote> quotes = new HashMap<>(count * 4 / 3 + 1);
        long clock = 1_700_000_000_000L;
        for (int i = 0; i < count; i++) {
            String symbol = symbols[random.nextInt(symbols.length)];
            String venue = VENUES[random.nextInt(VENUES.length)];
            double bid = Math.round(random.nextDouble(1, 500) * 100) / 100.0;
            clock += random.nextInt(50);
            quotes.put("q-" + Integer.toString(i, 36) + "-" + venue,
                    new Quote(symbol, venue, clock, bid, bid + 0.01 * random.nextInt(1, 20),
                            random.nextLong(1, 100_000), random.nextLong(1, 100_000), random.nextInt(8)));
        }
        return quotes;
    }
}
