import Feeds
import Testing

/// `FeedText.plain`: HTML descriptions to the plain text Meta, Amazon and others want.
@Suite struct FeedTextTests {
    @Test(
        "plain text from HTML",
        arguments: [
            // Already plain: given back as it is.
            ("Soft cotton tee", "Soft cotton tee"),
            ("", ""),
            ("Größe 40 – Baumwolle ✓", "Größe 40 – Baumwolle ✓"),
            ("2 > 1", "2 > 1"),
            // Tags dropped, each a word break; spaces at either end and runs folded.
            ("<p>Soft cotton tee.</p>", "Soft cotton tee."),
            ("<p>One</p><p>Two</p>", "One Two"),
            ("Bold<b>er</b>", "Bold er"),
            ("  padded  ", "padded"),
            ("a \t\n\r b", "a b"),
            ("line\nbreak", "line break"),
            ("<br/>", ""),
            ("<p>Größe <i>40</i></p>", "Größe 40"),
            // The six entities decoded; any other & kept as written.
            ("Fish &amp; chips &lt;3 &gt; &quot;q&quot; it&#39;s", "Fish & chips <3 > \"q\" it's"),
            ("a&nbsp;&nbsp;b", "a b"),
            ("&nbsp;lead", "lead"),
            ("R&D &copy; &amp", "R&D &copy; &amp"),
            ("&", "&"),
            // An unclosed tag drops the rest.
            ("before <a href=\"x\" after", "before"),
        ])
    func plain(html: String, expected: String) {
        #expect(FeedText.plain(html) == expected)
    }
}
