package io.stasis.samples.bank;

import io.stasis.api.Stasis;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStreamWriter;
import java.io.Writer;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicLong;

/**
 * One member of a bank of JVMs on loopback: a teller moves money from this member's accounts to
 * the other members' through the {@link Branch}'s outbox, a courier per member delivers it over
 * TCP, and a server applies what the others send. Run it under the agent with {@code group=…}, one
 * process per member; see {@code samples/bank.sh}.
 *
 * <pre>
 * java -javaagent:stasis-agent.jar=dir=bank-a,interval=1s,group=bank,group.member=a,group.size=3,\
 *      group.zookeeper=127.0.0.1:2181 -cp … io.stasis.samples.bank.BankMember \
 *      --member=a --members=a=7001,b=7002,c=7003
 * </pre>
 *
 * Options: {@code --member=ID}, {@code --members=ID=PORT,…} (every member, this one included),
 * {@code --accounts=N} (100), {@code --opening=N} (1000). It prints {@code state ID SUMMARY} (see
 * {@link Branch#summary}) once, as restored, before any transfer moves.
 */
public final class BankMember {

    private BankMember() {
    }

    public static void main(String[] args) throws Exception {
        Map<String, String> options = new LinkedHashMap<>();
        for (String arg : args) {
            int eq = arg.indexOf('=');
            if (!arg.startsWith("--") || eq < 0) {
                throw new IllegalArgumentException("options are --key=value: " + arg);
            }
            options.put(arg.substring(2, eq), arg.substring(eq + 1));
        }
        String member = required(options, "member");
        Map<String, Integer> ports = new LinkedHashMap<>();
        for (String entry : required(options, "members").split(",")) {
            String[] parts = entry.split("=");
            ports.put(parts[0], Integer.parseInt(parts[1]));
        }
        if (!ports.containsKey(member)) {
            throw new IllegalArgumentException("--members does not name --member=" + member);
        }
        Branch branch = new Branch(Integer.parseInt(options.getOrDefault("accounts", "100")),
                Long.parseLong(options.getOrDefault("opening", "1000")));
        System.out.println("restored: " + Stasis.lastRestore().message());
        System.out.println("state " + member + " " + branch.summary());

        AtomicLong received = new AtomicLong();
        ServerSocket server = new ServerSocket();
        server.setReuseAddress(true);
        server.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), ports.get(member)));
        daemon("server", () -> serve(server, branch, received));
        List<String> others = new ArrayList<>(ports.keySet());
        others.remove(member);
        for (String other : others) {
            daemon("courier-" + other, () -> deliver(member, other, ports.get(other), branch));
        }
        AtomicLong sent = new AtomicLong();
        daemon("teller", () -> tell(branch, others, sent));
        while (true) {
            Thread.sleep(1000);
            System.out.println("progress sent=" + sent.get() + " received=" + received.get());
        }
    }

    /** Moves a random amount from a random account to another member's, every few milliseconds. */
    private static void tell(Branch branch, List<String> others, AtomicLong sent) {
        ThreadLocalRandom random = ThreadLocalRandom.current();
        while (true) {
            if (branch.send(random.nextInt(branch.accounts()), others.get(random.nextInt(others.size())),
                    random.nextInt(branch.accounts()), 1 + random.nextInt(50))) {
                sent.incrementAndGet();
            }
            pause(2);
        }
    }

    /** Sends the outbox's transfers to {@code to}, in order, each until acknowledged; reconnects when the peer is away. */
    private static void deliver(String from, String to, int port, Branch branch) {
        while (true) {
            try (Socket socket = new Socket()) {
                socket.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 1000);
                socket.setSoTimeout(10_000);
                BufferedReader in = new BufferedReader(new InputStreamReader(socket.getInputStream(), StandardCharsets.UTF_8));
                Writer out = new OutputStreamWriter(socket.getOutputStream(), StandardCharsets.UTF_8);
                while (true) {
                    List<Branch.Transfer> pending = branch.pendingFor(to);
                    if (pending.isEmpty()) {
                        pause(5);
                        continue;
                    }
                    for (Branch.Transfer t : pending) {
                        out.write("T " + from + " " + t.seq() + " " + t.account() + " " + t.amount() + "\n");
                        out.flush();
                        String ack = in.readLine();
                        if (ack == null || !ack.equals("A " + t.seq())) {
                            throw new IOException("no acknowledgement of " + t.seq() + " from " + to + ": " + ack);
                        }
                        branch.acknowledged(t.seq());
                    }
                }
            } catch (IOException e) {
                pause(200); // the peer is restarting, or not up yet
            }
        }
    }

    private static void serve(ServerSocket server, Branch branch, AtomicLong received) {
        while (true) {
            try {
                Socket socket = server.accept();
                daemon("receiver", () -> receive(socket, branch, received));
            } catch (IOException e) {
                pause(100);
            }
        }
    }

    /** Applies each transfer (once) and acknowledges it (always: the sender may not have seen an earlier one). */
    private static void receive(Socket socket, Branch branch, AtomicLong received) {
        try (socket) {
            BufferedReader in = new BufferedReader(new InputStreamReader(socket.getInputStream(), StandardCharsets.UTF_8));
            Writer out = new OutputStreamWriter(socket.getOutputStream(), StandardCharsets.UTF_8);
            for (String line; (line = in.readLine()) != null; ) {
                String[] parts = line.split(" ");
                long seq = Long.parseLong(parts[2]);
                if (branch.receive(parts[1], seq, Integer.parseInt(parts[3]), Long.parseLong(parts[4]))) {
                    received.incrementAndGet();
                }
                out.write("A " + seq + "\n");
                out.flush();
            }
        } catch (IOException | RuntimeException e) {
            // the sender went away; it reconnects
        }
    }

    private static void daemon(String name, Runnable body) {
        Thread thread = new Thread(body, name);
        thread.setDaemon(true);
        thread.start();
    }

    private static void pause(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private static String required(Map<String, String> options, String key) {
        String value = options.get(key);
        if (value == null) {
            throw new IllegalArgumentException("--" + key + " is required");
        }
        return value;
    }
}
