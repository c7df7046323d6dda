package io.stasis.agent.internal.config;

/**
 * Reads the shapes of option values (a number and a unit, a name of word characters) by hand. The
 * options are parsed before the application's {@code main}, and a JVM's first regular expression
 * costs it about 7 ms there: the {@code java.util.regex} classes loaded and run interpreted.
 */
final class OptionText {

    private OptionText() {
    }

    /**
     * Splits {@code 250ms} or {@code 2g} into its digits and its unit.
     *
     * @param maxDigits the most digits the number may have
     * @param units the units allowed, each matched against all that follows the digits; {@code ""}
     *              allows none
     * @return the digits and the unit, or {@code null} when the text is not 1 to {@code maxDigits}
     *         ASCII digits followed by exactly one of the units
     */
    static String[] numberAndUnit(String text, int maxDigits, String... units) {
        int digits = digits(text, 0);
        if (digits == 0 || digits > maxDigits) {
            return null;
        }
        String unit = text.substring(digits);
        for (String allowed : units) {
            if (unit.equals(allowed)) {
                return new String[] {text.substring(0, digits), unit};
            }
        }
        return null;
    }

    /**
     * The number of a percentage such as {@code 0.5%}: 1 to 3 digits, then optionally a point and 1 to
     * 4 digits, then {@code %}; {@code null} for any other text.
     */
    static String percent(String text) {
        if (!text.endsWith("%")) {
            return null;
        }
        String number = text.substring(0, text.length() - 1);
        int whole = digits(number, 0);
        if (whole == 0 || whole > 3) {
            return null;
        }
        if (whole == number.length()) {
            return number;
        }
        int fraction = digits(number, whole + 1);
        return number.charAt(whole) == '.' && fraction >= 1 && fraction <= 4 && whole + 1 + fraction == number.length()
                ? number : null;
    }

    /** Whether the text is 1 to {@code maxLength} ASCII letters, digits or characters of {@code others}. */
    static boolean isWord(String text, String others, int maxLength) {
        if (text.isEmpty() || text.length() > maxLength) {
            return false;
        }
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (!(isAsciiDigit(c) || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || others.indexOf(c) >= 0)) {
                return false;
            }
        }
        return true;
    }

    /** How many ASCII digits follow {@code from}. */
    private static int digits(String text, int from) {
        int end = from;
        while (end < text.length() && isAsciiDigit(text.charAt(end))) {
            end++;
        }
        return end - from;
    }

    private static boolean isAsciiDigit(char c) {
        return c >= '0' && c <= '9';
    }
}
