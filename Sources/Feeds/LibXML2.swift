import CLibXML2

/// The libxml2 runtime the feed writers and readers link against.
///
/// Channels (Google XML, Walmart inventory) write through `xmlTextWriter` and the audit reads back with
/// `xmlTextReader`; this namespace is where that wiring starts.
public enum LibXML2 {
    /// The libxml2 version built against, e.g. `"2.9.14"`.
    public static let version: String = LIBXML_DOTTED_VERSION

    /// Initialises the parser once (libxml2 wants this before threads use it).
    public static func initialize() { xmlInitParser() }
}
