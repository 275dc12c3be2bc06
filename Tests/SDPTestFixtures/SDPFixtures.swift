// Real SDP offers used by the SDP tests. Captured on 2026-11-25 (addresses
// replaced by loopback; Chromium used mDNS host names, kept as captured).
// Swift normalises the line ends of these literals to "\n"; the parser accepts both.

public enum SDPFixtures {
    /// aiortc (PyPI) `RTCPeerConnection` with audio + video sendrecv transceivers: `createOffer` + `setLocalDescription`.
    public static let aiortc = #"""
v=0
o=- 4004606620 4004606620 IN IP4 0.0.0.0
s=-
t=0 0
a=group:BUNDLE 0 1
a=msid-semantic:WMS *
m=audio 55179 UDP/TLS/RTP/SAVPF 96 9 0 8
c=IN IP4 127.0.0.1
a=sendrecv
a=extmap:1 urn:ietf:params:rtp-hdrext:sdes:mid
a=extmap:2 urn:ietf:params:rtp-hdrext:ssrc-audio-level
a=mid:0
a=msid:7a8fc2bd-113e-42df-bb00-08c47465ec63 6c86e840-a167-4061-bdbf-272912de2eef
a=rtcp:9 IN IP4 0.0.0.0
a=rtcp-mux
a=ssrc:1584459785 cname:8be1412e-5dfd-4e30-9459-571018da61b6
a=rtpmap:96 opus/48000/2
a=rtpmap:9 G722/8000
a=rtpmap:0 PCMU/8000
a=rtpmap:8 PCMA/8000
a=candidate:f957a2332b1715da3b0ef8ba684454eb 1 udp 2130706431 127.0.0.1 55179 typ host
a=candidate:d0bcf3d9c29a2bc887618212a1623bfa 1 udp 2130706431 ::1 48404 typ host
a=end-of-candidates
a=ice-ufrag:92nJ
a=ice-pwd:PILr0OyDx6SmeAeDuyfR0T
a=fingerprint:sha-256 F0:7C:71:29:FF:B3:24:62:A8:F4:BF:00:91:0C:C8:A1:96:77:8A:05:C7:E8:1A:85:91:FD:87:8A:82:36:FA:81
a=fingerprint:sha-384 64:62:79:A9:D5:99:F9:00:FC:87:ED:54:F2:32:8F:B0:8F:A8:A1:58:CD:99:19:5F:DC:C1:D7:77:7C:5E:78:82:7B:72:06:91:FF:AF:CE:11:DC:34:AD:90:EC:EF:BF:0D
a=fingerprint:sha-512 90:2B:5B:75:60:BF:15:C1:5E:F6:B3:64:6E:92:3B:45:91:21:E6:9A:1E:A4:3A:74:6F:1D:5A:9F:CD:D7:F5:7C:92:92:80:16:AF:36:8D:0E:6B:B2:15:41:6D:82:B5:47:A6:76:83:30:9C:72:FD:57:89:24:0D:6B:59:02:CA:15
a=setup:actpass
m=video 47587 UDP/TLS/RTP/SAVPF 97 98 99 100 101 102
c=IN IP4 127.0.0.1
a=sendrecv
a=extmap:1 urn:ietf:params:rtp-hdrext:sdes:mid
a=extmap:3 http://www.webrtc.org/experiments/rtp-hdrext/abs-send-time
a=mid:1
a=msid:7a8fc2bd-113e-42df-bb00-08c47465ec63 b7744a54-c016-4e1e-b61c-06d24bb00d01
a=rtcp:9 IN IP4 0.0.0.0
a=rtcp-mux
a=ssrc-group:FID 2261300445 3512250165
a=ssrc:2261300445 cname:8be1412e-5dfd-4e30-9459-571018da61b6
a=ssrc:3512250165 cname:8be1412e-5dfd-4e30-9459-571018da61b6
a=rtpmap:97 VP8/90000
a=rtcp-fb:97 nack
a=rtcp-fb:97 nack pli
a=rtcp-fb:97 goog-remb
a=rtpmap:98 rtx/90000
a=fmtp:98 apt=97
a=rtpmap:99 H264/90000
a=rtcp-fb:99 nack
a=rtcp-fb:99 nack pli
a=rtcp-fb:99 goog-remb
a=fmtp:99 level-asymmetry-allowed=1;packetization-mode=1;profile-level-id=42001f
a=rtpmap:100 rtx/90000
a=fmtp:100 apt=99
a=rtpmap:101 H264/90000
a=rtcp-fb:101 nack
a=rtcp-fb:101 nack pli
a=rtcp-fb:101 goog-remb
a=fmtp:101 level-asymmetry-allowed=1;packetization-mode=1;profile-level-id=42e01f
a=rtpmap:102 rtx/90000
a=fmtp:102 apt=101
a=candidate:f957a2332b1715da3b0ef8ba684454eb 1 udp 2130706431 127.0.0.1 47587 typ host
a=candidate:d0bcf3d9c29a2bc887618212a1623bfa 1 udp 2130706431 ::1 41093 typ host
a=end-of-candidates
a=ice-ufrag:92nJ
a=ice-pwd:PILr0OyDx6SmeAeDuyfR0T
a=fingerprint:sha-256 F0:7C:71:29:FF:B3:24:62:A8:F4:BF:00:91:0C:C8:A1:96:77:8A:05:C7:E8:1A:85:91:FD:87:8A:82:36:FA:81
a=fingerprint:sha-384 64:62:79:A9:D5:99:F9:00:FC:87:ED:54:F2:32:8F:B0:8F:A8:A1:58:CD:99:19:5F:DC:C1:D7:77:7C:5E:78:82:7B:72:06:91:FF:AF:CE:11:DC:34:AD:90:EC:EF:BF:0D
a=fingerprint:sha-512 90:2B:5B:75:60:BF:15:C1:5E:F6:B3:64:6E:92:3B:45:91:21:E6:9A:1E:A4:3A:74:6F:1D:5A:9F:CD:D7:F5:7C:92:92:80:16:AF:36:8D:0E:6B:B2:15:41:6D:82:B5:47:A6:76:83:30:9C:72:FD:57:89:24:0D:6B:59:02:CA:15
a=setup:actpass
"""#

    /// Chromium 156 headless: `addTransceiver('audio')`, `addTransceiver('video')` (sendrecv), `createOffer`.
    public static let chromium = #"""
v=0
o=- 5067352422530749491 2 IN IP4 127.0.0.1
s=-
t=0 0
a=group:BUNDLE 0 1
a=extmap-allow-mixed
a=msid-semantic: WMS
m=audio 9 UDP/TLS/RTP/SAVPF 111 63 9 0 8 13 110 126
c=IN IP4 0.0.0.0
a=rtcp:9 IN IP4 0.0.0.0
a=candidate:3602399954 1 udp 2113937151 97b7a842-ed2c-4345-9fc3-1dd4494b6c9c.local 40951 typ host generation 0 network-cost 999
a=candidate:501121842 1 udp 2113942271 50eff508-dabb-4ce4-b824-f5db0c05d857.local 36548 typ host generation 0 network-cost 999
a=ice-ufrag:w55Q
a=ice-pwd:uFg/02Bzfo53UhUgFZmg/RCJ
a=ice-options:trickle
a=fingerprint:sha-256 F8:F7:38:97:CA:02:09:D9:FD:71:3E:73:9F:4E:5C:EC:7B:45:8A:FC:A4:4C:F6:97:CB:FE:93:9F:C0:71:A4:40
a=setup:actpass
a=mid:0
a=extmap:1 urn:ietf:params:rtp-hdrext:ssrc-audio-level
a=extmap:2 http://www.webrtc.org/experiments/rtp-hdrext/abs-send-time
a=extmap:3 http://www.ietf.org/id/draft-holmer-rmcat-transport-wide-cc-extensions-01
a=extmap:4 urn:ietf:params:rtp-hdrext:sdes:mid
a=sendrecv
a=msid:- fb3c2c40-7cf1-4644-bb5b-d8faa0f7151c
a=rtcp-mux
a=rtcp-rsize
a=rtcp-xr:rcvr-rtt=all
a=rtpmap:111 opus/48000/2
a=rtcp-fb:111 transport-cc
a=fmtp:111 minptime=10;useinbandfec=1
a=rtpmap:63 red/48000/2
a=fmtp:63 111/111
a=rtpmap:9 G722/8000
a=rtpmap:0 PCMU/8000
a=rtpmap:8 PCMA/8000
a=rtpmap:13 CN/8000
a=rtpmap:110 telephone-event/48000
a=rtpmap:126 telephone-event/8000
a=ssrc:2753088404 cname:yzu22+2Szd4GwKes
a=ssrc:2753088404 msid:- fb3c2c40-7cf1-4644-bb5b-d8faa0f7151c
m=video 9 UDP/TLS/RTP/SAVPF 96 97 102 103 104 107 108 109 114 115 116 117 39 40 45 46 98 99 100 101 118 119 120
c=IN IP4 0.0.0.0
a=rtcp:9 IN IP4 0.0.0.0
a=candidate:3602399954 1 udp 2113937151 97b7a842-ed2c-4345-9fc3-1dd4494b6c9c.local 59156 typ host generation 0 network-cost 999
a=candidate:501121842 1 udp 2113942271 50eff508-dabb-4ce4-b824-f5db0c05d857.local 51206 typ host generation 0 network-cost 999
a=ice-ufrag:w55Q
a=ice-pwd:uFg/02Bzfo53UhUgFZmg/RCJ
a=ice-options:trickle
a=fingerprint:sha-256 F8:F7:38:97:CA:02:09:D9:FD:71:3E:73:9F:4E:5C:EC:7B:45:8A:FC:A4:4C:F6:97:CB:FE:93:9F:C0:71:A4:40
a=setup:actpass
a=mid:1
a=extmap:14 urn:ietf:params:rtp-hdrext:toffset
a=extmap:2 http://www.webrtc.org/experiments/rtp-hdrext/abs-send-time
a=extmap:13 urn:3gpp:video-orientation
a=extmap:3 http://www.ietf.org/id/draft-holmer-rmcat-transport-wide-cc-extensions-01
a=extmap:5 http://www.webrtc.org/experiments/rtp-hdrext/playout-delay
a=extmap:6 http://www.webrtc.org/experiments/rtp-hdrext/video-content-type
a=extmap:7 http://www.webrtc.org/experiments/rtp-hdrext/video-timing
a=extmap:8 http://www.webrtc.org/experiments/rtp-hdrext/color-space
a=extmap:4 urn:ietf:params:rtp-hdrext:sdes:mid
a=extmap:10 urn:ietf:params:rtp-hdrext:sdes:rtp-stream-id
a=extmap:11 urn:ietf:params:rtp-hdrext:sdes:repaired-rtp-stream-id
a=sendrecv
a=msid:- b6522fc3-f6cc-4a93-8e9b-ae6647734091
a=rtcp-mux
a=rtcp-rsize
a=rtcp-xr:rcvr-rtt=all
a=rtpmap:96 VP8/90000
a=rtcp-fb:96 goog-remb
a=rtcp-fb:96 transport-cc
a=rtcp-fb:96 ccm fir
a=rtcp-fb:96 nack
a=rtcp-fb:96 nack pli
a=rtpmap:97 rtx/90000
a=fmtp:97 apt=96
a=rtpmap:102 H264/90000
a=rtcp-fb:102 goog-remb
a=rtcp-fb:102 transport-cc
a=rtcp-fb:102 ccm fir
a=rtcp-fb:102 nack
a=rtcp-fb:102 nack pli
a=fmtp:102 level-asymmetry-allowed=1;packetization-mode=1;profile-level-id=42001f
a=rtpmap:103 rtx/90000
a=fmtp:103 apt=102
a=rtpmap:104 H264/90000
a=rtcp-fb:104 goog-remb
a=rtcp-fb:104 transport-cc
a=rtcp-fb:104 ccm fir
a=rtcp-fb:104 nack
a=rtcp-fb:104 nack pli
a=fmtp:104 level-asymmetry-allowed=1;packetization-mode=0;profile-level-id=42001f
a=rtpmap:107 rtx/90000
a=fmtp:107 apt=104
a=rtpmap:108 H264/90000
a=rtcp-fb:108 goog-remb
a=rtcp-fb:108 transport-cc
a=rtcp-fb:108 ccm fir
a=rtcp-fb:108 nack
a=rtcp-fb:108 nack pli
a=fmtp:108 level-asymmetry-allowed=1;packetization-mode=1;profile-level-id=42e01f
a=rtpmap:109 rtx/90000
a=fmtp:109 apt=108
a=rtpmap:114 H264/90000
a=rtcp-fb:114 goog-remb
a=rtcp-fb:114 transport-cc
a=rtcp-fb:114 ccm fir
a=rtcp-fb:114 nack
a=rtcp-fb:114 nack pli
a=fmtp:114 level-asymmetry-allowed=1;packetization-mode=0;profile-level-id=42e01f
a=rtpmap:115 rtx/90000
a=fmtp:115 apt=114
a=rtpmap:116 H264/90000
a=rtcp-fb:116 goog-remb
a=rtcp-fb:116 transport-cc
a=rtcp-fb:116 ccm fir
a=rtcp-fb:116 nack
a=rtcp-fb:116 nack pli
a=fmtp:116 level-asymmetry-allowed=1;packetization-mode=1;profile-level-id=4d001f
a=rtpmap:117 rtx/90000
a=fmtp:117 apt=116
a=rtpmap:39 H264/90000
a=rtcp-fb:39 goog-remb
a=rtcp-fb:39 transport-cc
a=rtcp-fb:39 ccm fir
a=rtcp-fb:39 nack
a=rtcp-fb:39 nack pli
a=fmtp:39 level-asymmetry-allowed=1;packetization-mode=0;profile-level-id=4d001f
a=rtpmap:40 rtx/90000
a=fmtp:40 apt=39
a=rtpmap:45 AV1/90000
a=rtcp-fb:45 goog-remb
a=rtcp-fb:45 transport-cc
a=rtcp-fb:45 ccm fir
a=rtcp-fb:45 nack
a=rtcp-fb:45 nack pli
a=fmtp:45 level-idx=5;profile=0;tier=0
a=rtpmap:46 rtx/90000
a=fmtp:46 apt=45
a=rtpmap:98 VP9/90000
a=rtcp-fb:98 goog-remb
a=rtcp-fb:98 transport-cc
a=rtcp-fb:98 ccm fir
a=rtcp-fb:98 nack
a=rtcp-fb:98 nack pli
a=fmtp:98 profile-id=0
a=rtpmap:99 rtx/90000
a=fmtp:99 apt=98
a=rtpmap:100 VP9/90000
a=rtcp-fb:100 goog-remb
a=rtcp-fb:100 transport-cc
a=rtcp-fb:100 ccm fir
a=rtcp-fb:100 nack
a=rtcp-fb:100 nack pli
a=fmtp:100 profile-id=2
a=rtpmap:101 rtx/90000
a=fmtp:101 apt=100
a=rtpmap:118 red/90000
a=rtpmap:119 rtx/90000
a=fmtp:119 apt=118
a=rtpmap:120 ulpfec/90000
a=ssrc-group:FID 3446323557 2518673174
a=ssrc:3446323557 cname:yzu22+2Szd4GwKes
a=ssrc:3446323557 msid:- b6522fc3-f6cc-4a93-8e9b-ae6647734091
a=ssrc:2518673174 cname:yzu22+2Szd4GwKes
a=ssrc:2518673174 msid:- b6522fc3-f6cc-4a93-8e9b-ae6647734091
"""#

    /// Chromium 156 headless: audio sendonly, video sendonly with `sendEncodings` rid h/m/l, and a data channel.
    public static let chromiumSimulcast = #"""
v=0
o=- 6512248010027819334 2 IN IP4 127.0.0.1
s=-
t=0 0
a=group:BUNDLE 0 1 2
a=extmap-allow-mixed
a=msid-semantic: WMS
m=audio 9 UDP/TLS/RTP/SAVPF 111 63 9 0 8 13 110 126
c=IN IP4 0.0.0.0
a=rtcp:9 IN IP4 0.0.0.0
a=candidate:639059123 1 udp 2113937151 5e8ec9ca-9085-4eb6-b857-26beb1e7d23f.local 43908 typ host generation 0 network-cost 999
a=candidate:560277507 1 udp 2113942271 3be056c9-55ca-456a-b4dc-70d5bd75b103.local 51643 typ host generation 0 network-cost 999
a=ice-ufrag:Gv5D
a=ice-pwd:E19M8qV+1AxPiKatfOlHtss/
a=ice-options:trickle
a=fingerprint:sha-256 4E:5D:FA:05:D5:B0:B8:AB:21:2C:EA:E2:65:8D:73:CE:9D:FF:ED:91:F9:BA:46:44:1E:0C:BB:F3:77:5B:0D:EF
a=setup:actpass
a=mid:0
a=extmap:1 urn:ietf:params:rtp-hdrext:ssrc-audio-level
a=extmap:2 http://www.webrtc.org/experiments/rtp-hdrext/abs-send-time
a=extmap:3 http://www.ietf.org/id/draft-holmer-rmcat-transport-wide-cc-extensions-01
a=extmap:4 urn:ietf:params:rtp-hdrext:sdes:mid
a=sendonly
a=msid:- b844d46e-9343-4092-a318-898aeccffbc4
a=rtcp-mux
a=rtcp-rsize
a=rtcp-xr:rcvr-rtt=all
a=rtpmap:111 opus/48000/2
a=rtcp-fb:111 transport-cc
a=fmtp:111 minptime=10;useinbandfec=1
a=rtpmap:63 red/48000/2
a=fmtp:63 111/111
a=rtpmap:9 G722/8000
a=rtpmap:0 PCMU/8000
a=rtpmap:8 PCMA/8000
a=rtpmap:13 CN/8000
a=rtpmap:110 telephone-event/48000
a=rtpmap:126 telephone-event/8000
a=ssrc:1649231530 cname:m9w7zhSZ9Tg+LY5f
a=ssrc:1649231530 msid:- b844d46e-9343-4092-a318-898aeccffbc4
m=video 9 UDP/TLS/RTP/SAVPF 96 97 102 103 104 107 108 109 114 115 116 117 39 40 45 46 98 99 100 101 118 119 120
c=IN IP4 0.0.0.0
a=rtcp:9 IN IP4 0.0.0.0
a=candidate:639059123 1 udp 2113937151 5e8ec9ca-9085-4eb6-b857-26beb1e7d23f.local 35906 typ host generation 0 network-cost 999
a=candidate:560277507 1 udp 2113942271 3be056c9-55ca-456a-b4dc-70d5bd75b103.local 52219 typ host generation 0 network-cost 999
a=ice-ufrag:Gv5D
a=ice-pwd:E19M8qV+1AxPiKatfOlHtss/
a=ice-options:trickle
a=fingerprint:sha-256 4E:5D:FA:05:D5:B0:B8:AB:21:2C:EA:E2:65:8D:73:CE:9D:FF:ED:91:F9:BA:46:44:1E:0C:BB:F3:77:5B:0D:EF
a=setup:actpass
a=mid:1
a=extmap:14 urn:ietf:params:rtp-hdrext:toffset
a=extmap:2 http://www.webrtc.org/experiments/rtp-hdrext/abs-send-time
a=extmap:13 urn:3gpp:video-orientation
a=extmap:3 http://www.ietf.org/id/draft-holmer-rmcat-transport-wide-cc-extensions-01
a=extmap:5 http://www.webrtc.org/experiments/rtp-hdrext/playout-delay
a=extmap:6 http://www.webrtc.org/experiments/rtp-hdrext/video-content-type
a=extmap:7 http://www.webrtc.org/experiments/rtp-hdrext/video-timing
a=extmap:8 http://www.webrtc.org/experiments/rtp-hdrext/color-space
a=extmap:4 urn:ietf:params:rtp-hdrext:sdes:mid
a=extmap:10 urn:ietf:params:rtp-hdrext:sdes:rtp-stream-id
a=extmap:11 urn:ietf:params:rtp-hdrext:sdes:repaired-rtp-stream-id
a=extmap:12 https://aomediacodec.github.io/av1-rtp-spec/#dependency-descriptor-rtp-header-extension
a=extmap:9 http://www.webrtc.org/experiments/rtp-hdrext/video-layers-allocation00
a=sendonly
a=msid:- 81c290d1-70ff-4e16-8ac0-cf57b280e9af
a=rtcp-mux
a=rtcp-rsize
a=rtcp-xr:rcvr-rtt=all
a=rtpmap:96 VP8/90000
a=rtcp-fb:96 goog-remb
a=rtcp-fb:96 transport-cc
a=rtcp-fb:96 ccm fir
a=rtcp-fb:96 nack
a=rtcp-fb:96 nack pli
a=rtpmap:97 rtx/90000
a=fmtp:97 apt=96
a=rtpmap:102 H264/90000
a=rtcp-fb:102 goog-remb
a=rtcp-fb:102 transport-cc
a=rtcp-fb:102 ccm fir
a=rtcp-fb:102 nack
a=rtcp-fb:102 nack pli
a=fmtp:102 level-asymmetry-allowed=1;packetization-mode=1;profile-level-id=42001f
a=rtpmap:103 rtx/90000
a=fmtp:103 apt=102
a=rtpmap:104 H264/90000
a=rtcp-fb:104 goog-remb
a=rtcp-fb:104 transport-cc
a=rtcp-fb:104 ccm fir
a=rtcp-fb:104 nack
a=rtcp-fb:104 nack pli
a=fmtp:104 level-asymmetry-allowed=1;packetization-mode=0;profile-level-id=42001f
a=rtpmap:107 rtx/90000
a=fmtp:107 apt=104
a=rtpmap:108 H264/90000
a=rtcp-fb:108 goog-remb
a=rtcp-fb:108 transport-cc
a=rtcp-fb:108 ccm fir
a=rtcp-fb:108 nack
a=rtcp-fb:108 nack pli
a=fmtp:108 level-asymmetry-allowed=1;packetization-mode=1;profile-level-id=42e01f
a=rtpmap:109 rtx/90000
a=fmtp:109 apt=108
a=rtpmap:114 H264/90000
a=rtcp-fb:114 goog-remb
a=rtcp-fb:114 transport-cc
a=rtcp-fb:114 ccm fir
a=rtcp-fb:114 nack
a=rtcp-fb:114 nack pli
a=fmtp:114 level-asymmetry-allowed=1;packetization-mode=0;profile-level-id=42e01f
a=rtpmap:115 rtx/90000
a=fmtp:115 apt=114
a=rtpmap:116 H264/90000
a=rtcp-fb:116 goog-remb
a=rtcp-fb:116 transport-cc
a=rtcp-fb:116 ccm fir
a=rtcp-fb:116 nack
a=rtcp-fb:116 nack pli
a=fmtp:116 level-asymmetry-allowed=1;packetization-mode=1;profile-level-id=4d001f
a=rtpmap:117 rtx/90000
a=fmtp:117 apt=116
a=rtpmap:39 H264/90000
a=rtcp-fb:39 goog-remb
a=rtcp-fb:39 transport-cc
a=rtcp-fb:39 ccm fir
a=rtcp-fb:39 nack
a=rtcp-fb:39 nack pli
a=fmtp:39 level-asymmetry-allowed=1;packetization-mode=0;profile-level-id=4d001f
a=rtpmap:40 rtx/90000
a=fmtp:40 apt=39
a=rtpmap:45 AV1/90000
a=rtcp-fb:45 goog-remb
a=rtcp-fb:45 transport-cc
a=rtcp-fb:45 ccm fir
a=rtcp-fb:45 nack
a=rtcp-fb:45 nack pli
a=fmtp:45 level-idx=5;profile=0;tier=0
a=rtpmap:46 rtx/90000
a=fmtp:46 apt=45
a=rtpmap:98 VP9/90000
a=rtcp-fb:98 goog-remb
a=rtcp-fb:98 transport-cc
a=rtcp-fb:98 ccm fir
a=rtcp-fb:98 nack
a=rtcp-fb:98 nack pli
a=fmtp:98 profile-id=0
a=rtpmap:99 rtx/90000
a=fmtp:99 apt=98
a=rtpmap:100 VP9/90000
a=rtcp-fb:100 goog-remb
a=rtcp-fb:100 transport-cc
a=rtcp-fb:100 ccm fir
a=rtcp-fb:100 nack
a=rtcp-fb:100 nack pli
a=fmtp:100 profile-id=2
a=rtpmap:101 rtx/90000
a=fmtp:101 apt=100
a=rtpmap:118 red/90000
a=rtpmap:119 rtx/90000
a=fmtp:119 apt=118
a=rtpmap:120 ulpfec/90000
a=rid:h send
a=rid:m send
a=rid:l send
a=simulcast:send h;m;l
m=application 9 UDP/DTLS/SCTP webrtc-datachannel
c=IN IP4 0.0.0.0
a=candidate:639059123 1 udp 2113937151 5e8ec9ca-9085-4eb6-b857-26beb1e7d23f.local 40644 typ host generation 0 network-cost 999
a=candidate:560277507 1 udp 2113942271 3be056c9-55ca-456a-b4dc-70d5bd75b103.local 44185 typ host generation 0 network-cost 999
a=ice-ufrag:Gv5D
a=ice-pwd:E19M8qV+1AxPiKatfOlHtss/
a=ice-options:trickle
a=fingerprint:sha-256 4E:5D:FA:05:D5:B0:B8:AB:21:2C:EA:E2:65:8D:73:CE:9D:FF:ED:91:F9:BA:46:44:1E:0C:BB:F3:77:5B:0D:EF
a=setup:actpass
a=mid:2
a=sctp-port:5000
a=max-message-size:262144
"""#

    /// HAND-WRITTEN in Firefox's style (Firefox is not installed here): attribute order, extmap with direction, b=TIAS, ssrc-group FID, TCP candidate.
    public static let firefoxStyle = #"""
v=0
o=mozilla...THIS_IS_SDPARTA-128.5.0 7046243561853476352 0 IN IP4 0.0.0.0
s=-
t=0 0
a=fingerprint:sha-256 3C:1E:6B:0F:9A:4D:2C:88:71:E5:40:3B:97:AA:0D:5F:11:C2:8E:64:F9:23:B7:06:DE:58:19:A3:7C:4B:E2:90
a=group:BUNDLE 0 1
a=ice-options:trickle
a=msid-semantic:WMS *
m=audio 9 UDP/TLS/RTP/SAVPF 109 9 0 8 101
c=IN IP4 0.0.0.0
a=sendrecv
a=extmap:1 urn:ietf:params:rtp-hdrext:ssrc-audio-level
a=extmap:2/recvonly urn:ietf:params:rtp-hdrext:csrc-audio-level
a=extmap:3 urn:ietf:params:rtp-hdrext:sdes:mid
a=fmtp:109 maxplaybackrate=48000;stereo=1;useinbandfec=1
a=fmtp:101 0-15
a=ice-pwd:8f0b0e3e2a9c4d1b6e7f5a4c3b2d1e0f
a=ice-ufrag:5c2e91ab
a=mid:0
a=msid:{0f7d1c5e-3a2b-4c9d-8e6f-1a2b3c4d5e6f} {7a8b9c0d-1e2f-4a3b-8c4d-5e6f7a8b9c0d}
a=rtcp-mux
a=rtpmap:109 opus/48000/2
a=rtpmap:9 G722/8000/1
a=rtpmap:0 PCMU/8000
a=rtpmap:8 PCMA/8000
a=rtpmap:101 telephone-event/8000/1
a=setup:actpass
a=ssrc:2655508255 cname:{f1e2d3c4-b5a6-4978-8a9b-0c1d2e3f4a5b}
a=candidate:0 1 UDP 2122252543 127.0.0.1 53917 typ host
a=candidate:1 1 TCP 2105524479 127.0.0.1 9 typ host tcptype active
a=end-of-candidates
m=video 9 UDP/TLS/RTP/SAVPF 120 124 121 125 126 127 97 98 123 122 119
c=IN IP4 0.0.0.0
b=TIAS:2500000
a=sendrecv
a=extmap:3 urn:ietf:params:rtp-hdrext:sdes:mid
a=extmap:4 http://www.webrtc.org/experiments/rtp-hdrext/abs-send-time
a=extmap:5 urn:ietf:params:rtp-hdrext:toffset
a=extmap:6/recvonly http://www.webrtc.org/experiments/rtp-hdrext/playout-delay
a=extmap:7 http://www.ietf.org/id/draft-holmer-rmcat-transport-wide-cc-extensions-01
a=fmtp:126 profile-level-id=42e01f;level-asymmetry-allowed=1;packetization-mode=1
a=fmtp:97 profile-level-id=42e01f;level-asymmetry-allowed=1
a=fmtp:120 max-fs=12288;max-fr=60
a=fmtp:124 apt=120
a=fmtp:121 max-fs=12288;max-fr=60
a=fmtp:125 apt=121
a=fmtp:127 apt=126
a=fmtp:98 apt=97
a=fmtp:119 apt=122
a=ice-pwd:8f0b0e3e2a9c4d1b6e7f5a4c3b2d1e0f
a=ice-ufrag:5c2e91ab
a=mid:1
a=msid:{0f7d1c5e-3a2b-4c9d-8e6f-1a2b3c4d5e6f} {2c3d4e5f-6a7b-4c8d-9e0f-1a2b3c4d5e6f}
a=rtcp-fb:120 nack
a=rtcp-fb:120 nack pli
a=rtcp-fb:120 ccm fir
a=rtcp-fb:120 goog-remb
a=rtcp-fb:120 transport-cc
a=rtcp-fb:121 nack
a=rtcp-fb:121 nack pli
a=rtcp-fb:121 ccm fir
a=rtcp-fb:121 goog-remb
a=rtcp-fb:121 transport-cc
a=rtcp-fb:126 nack
a=rtcp-fb:126 nack pli
a=rtcp-fb:126 ccm fir
a=rtcp-fb:126 goog-remb
a=rtcp-fb:126 transport-cc
a=rtcp-fb:97 nack
a=rtcp-fb:97 nack pli
a=rtcp-fb:97 ccm fir
a=rtcp-fb:97 goog-remb
a=rtcp-fb:97 transport-cc
a=rtcp-fb:123 nack
a=rtcp-fb:123 nack pli
a=rtcp-fb:123 ccm fir
a=rtcp-fb:123 goog-remb
a=rtcp-fb:123 transport-cc
a=rtcp-fb:122 nack
a=rtcp-fb:122 nack pli
a=rtcp-fb:122 ccm fir
a=rtcp-fb:122 goog-remb
a=rtcp-fb:122 transport-cc
a=rtcp-mux
a=rtcp-rsize
a=rtpmap:120 VP8/90000
a=rtpmap:124 rtx/90000
a=rtpmap:121 VP9/90000
a=rtpmap:125 rtx/90000
a=rtpmap:126 H264/90000
a=rtpmap:127 rtx/90000
a=rtpmap:97 H264/90000
a=rtpmap:98 rtx/90000
a=rtpmap:123 ulpfec/90000
a=rtpmap:122 red/90000
a=rtpmap:119 rtx/90000
a=setup:actpass
a=ssrc:3184713937 cname:{f1e2d3c4-b5a6-4978-8a9b-0c1d2e3f4a5b}
a=ssrc:1062463209 cname:{f1e2d3c4-b5a6-4978-8a9b-0c1d2e3f4a5b}
a=ssrc-group:FID 3184713937 1062463209
a=candidate:0 1 UDP 2122252543 127.0.0.1 53917 typ host
a=candidate:1 1 TCP 2105524479 127.0.0.1 9 typ host tcptype active
a=end-of-candidates
"""#

    /// Janus 1.1.2 VideoRoom publisher answer, from janus-api.md §10.2 (fingerprint abridged there; TEST-NET address).
    public static let janusPublisherAnswer = #"""
v=0
o=- 4611731400430051336 2 IN IP4 198.51.100.7
s=VideoRoom 1234
t=0 0
a=group:BUNDLE 0 1
a=ice-options:trickle
a=fingerprint:sha-256 E0:60:F9:...:7C:7E
a=extmap-allow-mixed
a=msid-semantic: WMS *
m=audio 9 UDP/TLS/RTP/SAVPF 111
c=IN IP4 198.51.100.7
a=recvonly
a=mid:0
a=rtcp-mux
a=ice-ufrag:3Low
a=ice-pwd:iGoxDzeqUuwpKJeSD7KB+X
a=ice-options:trickle
a=setup:active
a=rtpmap:111 opus/48000/2
a=fmtp:111 useinbandfec=1
a=extmap:1 urn:ietf:params:rtp-hdrext:ssrc-audio-level
a=extmap:4 urn:ietf:params:rtp-hdrext:sdes:mid
a=msid:janus janus0
a=ssrc:1002924142 cname:janus
a=candidate:1 1 udp 2015363327 198.51.100.7 42072 typ host
a=end-of-candidates
m=video 9 UDP/TLS/RTP/SAVPF 96 97
c=IN IP4 198.51.100.7
a=recvonly
a=mid:1
a=rtcp-mux
a=ice-ufrag:3Low
a=ice-pwd:iGoxDzeqUuwpKJeSD7KB+X
a=ice-options:trickle
a=setup:active
a=rtpmap:96 VP8/90000
a=rtcp-fb:96 ccm fir
a=rtcp-fb:96 nack
a=rtcp-fb:96 nack pli
a=rtcp-fb:96 goog-remb
a=rtcp-fb:96 transport-cc
a=extmap:13 urn:3gpp:video-orientation
a=extmap:3 http://www.ietf.org/id/draft-holmer-rmcat-transport-wide-cc-extensions-01
a=extmap:5 http://www.webrtc.org/experiments/rtp-hdrext/playout-delay
a=extmap:4 urn:ietf:params:rtp-hdrext:sdes:mid
a=extmap:10 urn:ietf:params:rtp-hdrext:sdes:rtp-stream-id
a=extmap:11 urn:ietf:params:rtp-hdrext:sdes:repaired-rtp-stream-id
a=rtpmap:97 rtx/90000
a=fmtp:97 apt=96
a=msid:janus janus1
a=ssrc:1443913133 cname:janus
a=rid:h recv
a=rid:m recv
a=rid:l recv
a=simulcast:recv h;m;l
a=candidate:1 1 udp 2015363327 198.51.100.7 42072 typ host
a=end-of-candidates
"""#

    /// Janus 1.1.2 VideoRoom subscriber offer, from janus-api.md §10.3.
    public static let janusSubscriberOffer = #"""
v=0
o=- 1795610597986961 1 IN IP4 198.51.100.7
s=VideoRoom 5555
t=0 0
a=group:BUNDLE 0 1 2 3 4
a=ice-options:trickle
a=fingerprint:sha-256 E0:60:F9:...:7C:7E
a=extmap-allow-mixed
a=msid-semantic: WMS *
m=audio 9 UDP/TLS/RTP/SAVPF 111
c=IN IP4 198.51.100.7
a=sendonly
a=mid:0
a=rtcp-mux
a=ice-ufrag:DYyC
a=ice-pwd:gC0Jz3WpzP78kkrxw/A35t
a=ice-options:trickle
a=setup:actpass
a=rtpmap:111 opus/48000/2
a=rtcp-fb:111 transport-cc
a=extmap:4 urn:ietf:params:rtp-hdrext:sdes:mid
a=msid:janus janus0
a=ssrc:1243887205 cname:janus
a=candidate:1 1 udp 2015363327 198.51.100.7 48605 typ host
a=end-of-candidates
m=video 9 UDP/TLS/RTP/SAVPF 96 97
c=IN IP4 198.51.100.7
a=sendonly
a=mid:1
a=rtcp-mux
a=ice-ufrag:DYyC
a=ice-pwd:gC0Jz3WpzP78kkrxw/A35t
a=ice-options:trickle
a=setup:actpass
a=rtpmap:96 VP8/90000
a=rtcp-fb:96 ccm fir
a=rtcp-fb:96 nack
a=rtcp-fb:96 nack pli
a=rtcp-fb:96 goog-remb
a=rtcp-fb:96 transport-cc
a=extmap:2 http://www.webrtc.org/experiments/rtp-hdrext/abs-send-time
a=extmap:3 http://www.ietf.org/id/draft-holmer-rmcat-transport-wide-cc-extensions-01
a=extmap:4 urn:ietf:params:rtp-hdrext:sdes:mid
a=rtpmap:97 rtx/90000
a=fmtp:97 apt=96
a=ssrc-group:FID 2549778618 2740520070
a=msid:janus janus1
a=ssrc:2549778618 cname:janus
a=ssrc:2740520070 cname:janus
a=candidate:1 1 udp 2015363327 198.51.100.7 48605 typ host
a=end-of-candidates
"""#

    public static let all: [(name: String, sdp: String)] = [
        ("aiortc", aiortc), ("chromium", chromium), ("chromiumSimulcast", chromiumSimulcast), ("firefoxStyle", firefoxStyle),
        ("janusPublisherAnswer", janusPublisherAnswer), ("janusSubscriberOffer", janusSubscriberOffer),
    ]
}
