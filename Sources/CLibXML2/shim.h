#ifndef UNIFEED_CLIBXML2_SHIM_H
#define UNIFEED_CLIBXML2_SHIM_H
#include <libxml/xmlwriter.h>
#include <libxml/xmlreader.h>
#include <libxml/xmlschemas.h>
#include <libxml/parser.h>
#endif
