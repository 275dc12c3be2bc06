#ifndef SFU_LOAD_CODECS_H
#define SFU_LOAD_CODECS_H
// Thin wrappers over libvpx (VP8 encoder) and libopus (encoder, packet padding) for sfu-load:
// the encoders' init macros and variadic controls are not importable into Swift. Each
// function returns a negative value on failure. Not thread-safe per encoder instance.
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

typedef struct load_vp8_encoder load_vp8_encoder;

/// A VP8 encoder in real-time CBR mode at `bitrate_bps`, `fps` frames per second;
/// `keyframe_interval` frames between automatic keyframes (0: none besides forced ones).
/// NULL on failure.
load_vp8_encoder *load_vp8_create(int width, int height, int fps, int bitrate_bps, int keyframe_interval);

/// Generates frame number `index` of a moving test pattern, encodes it (a keyframe when
/// `force_keyframe`), and copies the compressed frame into `out`. Returns its size, 0 when the
/// encoder dropped the frame, or a negative value on error; `*is_keyframe` tells the frame type.
int load_vp8_encode(load_vp8_encoder *encoder, int index, int force_keyframe, uint8_t *out, int capacity,
                    int *is_keyframe);

void load_vp8_destroy(load_vp8_encoder *encoder);

typedef struct load_opus_encoder load_opus_encoder;

/// An Opus encoder (48 kHz, `channels` 1 or 2, VoIP application) at `bitrate_bps`. NULL on failure.
load_opus_encoder *load_opus_create(int channels, int bitrate_bps);

/// Generates 20 ms (960 samples per channel) of frame `index` of a test tone, encodes it into
/// `out`. Returns the packet size or a negative libopus error.
int load_opus_encode(load_opus_encoder *encoder, int index, uint8_t *out, int capacity);

void load_opus_destroy(load_opus_encoder *encoder);

/// Pads an Opus packet of `length` bytes in place to `new_length` (RFC 6716 §3.2.5: code 3 with
/// padding, which decoders ignore). Returns 0 or a negative libopus error.
int load_opus_pad(uint8_t *packet, int length, int new_length);

#ifdef __cplusplus
}
#endif
#endif
