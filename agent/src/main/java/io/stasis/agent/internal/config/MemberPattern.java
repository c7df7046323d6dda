package io.stasis.agent.internal.config;

import java.util.regex.Pattern;

/**
 * {@code com.acme.*Job#run*}: a class-name glob and a member-name glob, where {@code *} matches any
 * run of characters (dots included in the class part).
 */
public record MemberPattern(String text, Pattern type, Pattern member) {

    /** Parses one pattern; the message of the exception says what is wrong with it. */
    public static MemberPattern parse(String text) {
        int hash = text.indexOf('#');
        if (hash <= 0 || hash == text.length() - 1 || text.indexOf('#', hash + 1) >= 0) {
            throw new IllegalArgumentException("'" + text + "' is not CLASS#MEMBER (for example com.acme.Worker#process)");
        }
        return new MemberPattern(text, glob(text.substring(0, hash)), glob(text.substring(hash + 1)));
    }

    public boolean matches(String typeName, String memberName) {
        return type.matcher(typeName).matches() && member.matcher(memberName).matches();
    }

    public boolean matchesType(String typeName) {
        return type.matcher(typeName).matches();
    }

    private static Pattern glob(String glob) {
        StringBuilder regex = new StringBuilder();
        for (String literal : glob.split("\\*", -1)) {
            if (regex.length() > 0) {
                regex.append(".*");
            }
            regex.append(Pattern.quote(literal));
        }
        return Pattern.compile(regex.toString());
    }
}
