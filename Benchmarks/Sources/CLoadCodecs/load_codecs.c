// libvpx and libopus behind plain functions for Swift (see CLoadCodecs.h).
#include "CLoadCodecs.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <opus/opus.h>
#include <vpx/vp8cx.h>
#include <vpx/vpx_encoder.h>

struct load_vp8_encoder {
    vpx_codec_ctx_t codec;
    vpx_image_t image;
    int width;
    int height;
    uint32_t noise;
};

load_vp8_encoder *load_vp8_create(int width, int height, int fps, int bitrate_bps, int keyframe_interval) {
    if (width < 16 || height < 16 || fps < 1 || bitrate_bps < 10000) return NULL;
    load_vp8_encoder *encoder = calloc(1, sizeof(*encoder));
    if (!encoder) return NULL;
    vpx_codec_enc_cfg_t config;
    if (vpx_codec_enc_config_default(vpx_codec_vp8_cx(), &config, 0) != VPX_CODEC_OK) goto fail;
    config.g_w = (unsigned)width;
    config.g_h = (unsigned)height;
    config.g_timebase.num = 1;
    config.g_timebase.den = fps;
    config.rc_target_bitrate = (unsigned)(bitrate_bps / 1000);
    config.rc_end_usage = VPX_CBR;
    config.g_lag_in_frames = 0;
    config.g_error_resilient = VPX_ERROR_RESILIENT_DEFAULT;
    config.g_pass = VPX_RC_ONE_PASS;
    config.g_threads = 1;
    config.rc_min_quantizer = 2;
    config.rc_max_quantizer = 56;
    config.rc_undershoot_pct = 100;
    config.rc_overshoot_pct = 15;
    config.rc_buf_initial_sz = 500;
    config.rc_buf_optimal_sz = 600;
    config.rc_buf_sz = 1000;
    config.kf_mode = keyframe_interval > 0 ? VPX_KF_AUTO : VPX_KF_DISABLED;
    config.kf_min_dist = 0;
    config.kf_max_dist = keyframe_interval > 0 ? (unsigned)keyframe_interval : 0;
    if (vpx_codec_enc_init(&encoder->codec, vpx_codec_vp8_cx(), &config, 0) != VPX_CODEC_OK) goto fail;
    vpx_codec_control(&encoder->codec, VP8E_SET_CPUUSED, -6);
    vpx_codec_control(&encoder->codec, VP8E_SET_STATIC_THRESHOLD, 1);
    vpx_codec_control(&encoder->codec, VP8E_SET_MAX_INTRA_BITRATE_PCT, 300);
    if (!vpx_img_alloc(&encoder->image, VPX_IMG_FMT_I420, (unsigned)width, (unsigned)height, 16)) {
        vpx_codec_destroy(&encoder->codec);
        goto fail;
    }
    encoder->width = width;
    encoder->height = height;
    encoder->noise = 0x9E3779B9u;
    return encoder;
fail:
    free(encoder);
    return NULL;
}

// A diagonal gradient scrolling one pixel per frame, a bouncing square, and a noisy band so
// the encoder has real work at any bitrate.
static void draw_frame(load_vp8_encoder *encoder, int index) {
    vpx_image_t *image = &encoder->image;
    int width = encoder->width, height = encoder->height;
    int box = height / 4;
    int period_x = 2 * (width - box), period_y = 2 * (height - box);
    int box_x = (index * 7) % period_x, box_y = (index * 5) % period_y;
    if (box_x >= width - box) box_x = period_x - box_x;
    if (box_y >= height - box) box_y = period_y - box_y;
    for (int y = 0; y < height; y++) {
        uint8_t *row = image->planes[VPX_PLANE_Y] + (size_t)y * (size_t)image->stride[VPX_PLANE_Y];
        for (int x = 0; x < width; x++) {
            int value = (x + y + 2 * index) & 0xFF;
            if (x >= box_x && x < box_x + box && y >= box_y && y < box_y + box) value = 235 - value / 4;
            if (y >= height - height / 8) {
                // Low-amplitude sensor-like noise: costs bits every frame, as a camera does.
                encoder->noise = encoder->noise * 1664525u + 1013904223u;
                value = 96 + (value >> 2) + (int)(encoder->noise >> 28);
            }
            row[x] = (uint8_t)value;
        }
    }
    for (int plane = VPX_PLANE_U; plane <= VPX_PLANE_V; plane++) {
        for (int y = 0; y < (height + 1) / 2; y++) {
            uint8_t *row = image->planes[plane] + (size_t)y * (size_t)image->stride[plane];
            for (int x = 0; x < (width + 1) / 2; x++) {
                row[x] = (uint8_t)(128 + ((plane == VPX_PLANE_U ? x : y) + index) % 64 - 32);
            }
        }
    }
}

int load_vp8_encode(load_vp8_encoder *encoder, int index, int force_keyframe, uint8_t *out, int capacity,
                    int *is_keyframe) {
    if (!encoder || !out || capacity <= 0) return -1;
    draw_frame(encoder, index);
    vpx_enc_frame_flags_t flags = force_keyframe ? VPX_EFLAG_FORCE_KF : 0;
    if (vpx_codec_encode(&encoder->codec, &encoder->image, index, 1, flags, VPX_DL_REALTIME) != VPX_CODEC_OK) {
        return -2;
    }
    int size = 0;
    *is_keyframe = 0;
    vpx_codec_iter_t iterator = NULL;
    const vpx_codec_cx_pkt_t *packet;
    while ((packet = vpx_codec_get_cx_data(&encoder->codec, &iterator)) != NULL) {
        if (packet->kind != VPX_CODEC_CX_FRAME_PKT) continue;
        if (size + (int)packet->data.frame.sz > capacity) return -3;
        memcpy(out + size, packet->data.frame.buf, packet->data.frame.sz);
        size += (int)packet->data.frame.sz;
        if (packet->data.frame.flags & VPX_FRAME_IS_KEY) *is_keyframe = 1;
    }
    return size;
}

void load_vp8_destroy(load_vp8_encoder *encoder) {
    if (!encoder) return;
    vpx_img_free(&encoder->image);
    vpx_codec_destroy(&encoder->codec);
    free(encoder);
}

struct load_opus_encoder {
    OpusEncoder *encoder;
    int channels;
    int16_t pcm[960 * 2];
};

load_opus_encoder *load_opus_create(int channels, int bitrate_bps) {
    if (channels < 1 || channels > 2) return NULL;
    load_opus_encoder *wrapper = calloc(1, sizeof(*wrapper));
    if (!wrapper) return NULL;
    int error = 0;
    wrapper->encoder = opus_encoder_create(48000, channels, OPUS_APPLICATION_VOIP, &error);
    if (error != OPUS_OK || !wrapper->encoder) {
        free(wrapper);
        return NULL;
    }
    opus_encoder_ctl(wrapper->encoder, OPUS_SET_BITRATE(bitrate_bps));
    opus_encoder_ctl(wrapper->encoder, OPUS_SET_INBAND_FEC(1));
    opus_encoder_ctl(wrapper->encoder, OPUS_SET_PACKET_LOSS_PERC(5));
    wrapper->channels = channels;
    return wrapper;
}

// A tone gliding between 300 and 900 Hz with a slow tremolo: voiced-looking, never silent
// (so no DTX-sized packets).
int load_opus_encode(load_opus_encoder *wrapper, int index, uint8_t *out, int capacity) {
    if (!wrapper || !out || capacity <= 0) return -1;
    for (int sample = 0; sample < 960; sample++) {
        double t = (double)(index * 960 + sample) / 48000.0;
        double frequency = 600.0 + 300.0 * sin(2 * M_PI * 0.25 * t);
        double amplitude = 8000.0 * (0.6 + 0.4 * sin(2 * M_PI * 3.0 * t));
        int16_t value = (int16_t)(amplitude * sin(2 * M_PI * frequency * t));
        for (int channel = 0; channel < wrapper->channels; channel++) {
            wrapper->pcm[sample * wrapper->channels + channel] = value;
        }
    }
    return opus_encode(wrapper->encoder, wrapper->pcm, 960, out, capacity);
}

void load_opus_destroy(load_opus_encoder *wrapper) {
    if (!wrapper) return;
    opus_encoder_destroy(wrapper->encoder);
    free(wrapper);
}

int load_opus_pad(uint8_t *packet, int length, int new_length) {
    return opus_packet_pad(packet, length, new_length);
}
