/*
 * colorspace.c — see colorspace.h.
 */
#include "media/colorspace.h"

#include <libavutil/pixfmt.h>
#include <libswscale/swscale.h>

int fu_sws_colorspace(int av_space, int unknown_is_hd)
{
    switch (av_space) {
    case AVCOL_SPC_BT709: return SWS_CS_ITU709;
    case AVCOL_SPC_FCC: return SWS_CS_FCC;
    case AVCOL_SPC_BT470BG: return SWS_CS_ITU601;
    case AVCOL_SPC_SMPTE170M: return SWS_CS_SMPTE170M;
    case AVCOL_SPC_SMPTE240M: return SWS_CS_SMPTE240M;
    case AVCOL_SPC_BT2020_NCL:
    case AVCOL_SPC_BT2020_CL: return SWS_CS_BT2020;
    default: return unknown_is_hd ? SWS_CS_ITU709 : SWS_CS_DEFAULT;
    }
}
