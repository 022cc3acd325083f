#ifndef UNIFEED_CLIBXML2_SHIM_H
#define UNIFEED_CLIBXML2_SHIM_H
// Debian builds libxml2 with ICU, so <libxml/encoding.h> would include the system's
// <unicode/ucnv.h>. Its UErrorCode then clashes with Foundation's own ICU module (_FoundationICU)
// in any Swift file that imports both. Unifeed never touches the ICU members of
// xmlCharEncodingHandler (it only passes pointers to it around), so the ICU part is left out.
#include <libxml/xmlversion.h>
#undef LIBXML_ICU_ENABLED
#include <libxml/xmlwriter.h>
#include <libxml/xmlreader.h>
#include <libxml/xmlschemas.h>
#include <libxml/parser.h>
#endif
