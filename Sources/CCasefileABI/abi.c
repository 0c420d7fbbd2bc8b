/* Empty on purpose: SwiftPM builds a C target only when it has a source file, and this target is
 * only its header (include/CCasefileABI.h, the event ABI of bpf/casefile.h). */
#include "CCasefileABI.h"
