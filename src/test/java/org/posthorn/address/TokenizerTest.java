package org.posthorn.address;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;

class TokenizerTest {
    @Test
    void scansAtomsOperatorsQuotedStringsLiteralsAndComments() {
        List<Token> t = Tokenizer.scan("\"a b\"@[1.2.3.4] (note (nested)) x.y");
        assertThat(t).containsExactly(Token.quoted("a b"), Token.operator('@'), new Token(Token.DOMLIT, "1.2.3.4"),
                new Token(Token.COMMENT, "(note (nested))"), Token.atom("x"), Token.operator('.'), Token.atom("y"));
    }

    @Test
    void percentAndBangAreOperators() {
        assertThat(Tokenizer.scan("a%b!c")).containsExactly(Token.atom("a"), Token.operator('%'), Token.atom("b"),
                Token.operator('!'), Token.atom("c"));
    }

    @Test
    void backslashQuotesTheNextCharacterAndMakesTheAtomAQuotedString() {
        assertThat(Tokenizer.scan("a\\ b@c")).containsExactly(Token.quoted("a b"), Token.operator('@'), Token.atom("c"));
        assertThat(Tokenizer.scan("a\\@b")).containsExactly(Token.quoted("a@b"));
        assertThat(Tokenizer.scan("\"x\\\"y\"")).containsExactly(Token.quoted("x\"y"));
    }

    @Test
    void unterminatedQuotesAndLiteralsRunToTheEnd() {
        assertThat(Tokenizer.scan("\"abc")).containsExactly(Token.quoted("abc"));
        assertThat(Tokenizer.scan("[1.2")).containsExactly(new Token(Token.DOMLIT, "1.2"));
    }

    @Test
    void whiteSpaceInsideQuotesBecomesSpaces() {
        assertThat(Tokenizer.scan("\"a\tb\"")).containsExactly(Token.quoted("a b"));
    }

    @Test
    void internalFormPutsSpacesBetweenWordsAndAfterCommas() {
        assertThat(Tokenizer.internalize(Tokenizer.scan("first   last@x"))).isEqualTo("first last@x");
        assertThat(Tokenizer.internalize(Tokenizer.scan("@a,@b:u@c"))).isEqualTo("@a, @b:u@c");
        assertThat(Tokenizer.internalize(Tokenizer.scan("\"a b\"@[1.2.3.4]"))).isEqualTo("a b@[1.2.3.4]");
        assertThat(Tokenizer.internalize(Tokenizer.scan("x<y>"))).isEqualTo("x <y>");
    }

    @Test
    void externalFormOfAnAddressQuotesItsLocalPart() {
        assertThat(Tokenizer.externalizeAddress(Tokenizer.scan("\"a b\"@x"))).isEqualTo("\"a b\"@x");
        assertThat(Tokenizer.externalizeAddress(Tokenizer.scan("first last@x"))).isEqualTo("\"first last\"@x");
        assertThat(Tokenizer.externalizeAddress(Tokenizer.scan("user@x"))).isEqualTo("user@x");
    }

    @Test
    void externalFormTokenByTokenEscapesQuotedText() {
        assertThat(Tokenizer.externalize(List.of(Token.quoted("a\"b"), Token.atom("c")))).isEqualTo("\"a\\\"b\" c");
        assertThat(Tokenizer.externalize(Tokenizer.scan("a,b"))).isEqualTo("a, b");
    }

    @Test
    void tokenCountIsBounded() {
        assertThat(Tokenizer.scan(".".repeat(Tokenizer.MAX_TOKENS + 50))).hasSize(Tokenizer.MAX_TOKENS);
    }
}
