"""Small .mjr files as Janus's VideoRoom writes them (src/record.c): the magic, a JSON header,
then each RTP packet behind "MEET", a time in ms and its length. The media is a test picture
(VP8, 15 fps) and a tone (Opus, 20 ms frames) that ffmpeg encodes; here they are cut into RTP
packets the way a browser sends them, so janus-pp-rec reads them as it reads Janus's own."""

import json
import struct
import subprocess
from pathlib import Path

RTP_MTU_PAYLOAD = 1100
VP8_PT, OPUS_PT = 96, 111


def _rtp(*, pt: int, seq: int, ts: int, ssrc: int, marker: bool, payload: bytes) -> bytes:
    return struct.pack("!BBHII", 0x80, (0x80 if marker else 0) | pt, seq & 0xFFFF, ts & 0xFFFFFFFF, ssrc) + payload


def _ivf_frames(path: Path) -> list[tuple[int, bytes]]:
    data = path.read_bytes()
    header_size = struct.unpack_from("<H", data, 6)[0]
    frames, at = [], header_size
    while at + 12 <= len(data):
        size, pts = struct.unpack_from("<IQ", data, at)
        frames.append((pts, data[at + 12:at + 12 + size]))
        at += 12 + size
    return frames


def _ogg_packets(path: Path) -> list[bytes]:
    data, at, packets, current = path.read_bytes(), 0, [], b""
    while at < len(data):
        assert data[at:at + 4] == b"OggS"
        count = data[at + 26]
        lacing = data[at + 27:at + 27 + count]
        at += 27 + count
        for size in lacing:
            current += data[at:at + size]
            at += size
            if size < 255:
                packets.append(current)
                current = b""
    return packets[2:]  # after OpusHead and OpusTags


def _mjr(path: Path, *, kind: str, codec: str, started_us: int, packets: list[tuple[int, bytes]]) -> None:
    header = json.dumps({"t": kind, "c": codec, "s": started_us, "u": started_us}).encode()
    with open(path, "wb") as handle:
        handle.write(b"MJR00002" + struct.pack("!H", len(header)) + header)
        for ms, packet in packets:
            handle.write(b"MEET" + struct.pack("!IH", ms, len(packet)) + packet)


def mjr_video(path: Path, *, seconds: float, started_us: int, colour: str = "testsrc") -> Path:
    """A VP8 .mjr of `seconds` of ffmpeg's test picture (or a plain colour: "color=c=red")."""
    ivf = path.with_suffix(".ivf")
    source = f"{colour}=size=320x240:rate=15" if colour == "testsrc" else f"{colour}:size=320x240:rate=15"
    subprocess.run(["ffmpeg", "-nostdin", "-loglevel", "error", "-y", "-f", "lavfi", "-i", source, "-t", str(seconds),
                    "-c:v", "libvpx", "-g", "15", "-deadline", "realtime", "-f", "ivf", str(ivf)],
                   check=True, timeout=60)
    packets, seq = [], 1
    for pts, frame in _ivf_frames(ivf):
        chunks = [frame[i:i + RTP_MTU_PAYLOAD] for i in range(0, len(frame), RTP_MTU_PAYLOAD)]
        for n, chunk in enumerate(chunks):
            descriptor = b"\x10" if n == 0 else b"\x00"  # S bit on a frame's first packet
            packets.append((pts * 1000 // 15, _rtp(pt=VP8_PT, seq=seq, ts=pts * 6000, ssrc=1111,
                                                    marker=n == len(chunks) - 1, payload=descriptor + chunk)))
            seq += 1
    ivf.unlink()
    _mjr(path, kind="v", codec="vp8", started_us=started_us, packets=packets)
    return path


def mjr_audio(path: Path, *, seconds: float, started_us: int, hz: int = 440) -> Path:
    """An Opus .mjr of `seconds` of a tone."""
    ogg = path.with_suffix(".ogg")
    subprocess.run(["ffmpeg", "-nostdin", "-loglevel", "error", "-y", "-f", "lavfi", "-i", f"sine=frequency={hz}:sample_rate=48000",
                    "-t", str(seconds), "-c:a", "libopus", "-frame_duration", "20", "-f", "ogg", str(ogg)],
                   check=True, timeout=60)
    packets = [(n * 20, _rtp(pt=OPUS_PT, seq=n + 1, ts=n * 960, ssrc=2222, marker=n == 0, payload=p))
               for n, p in enumerate(_ogg_packets(ogg))]
    ogg.unlink()
    _mjr(path, kind="a", codec="opus", started_us=started_us, packets=packets)
    return path


def mjr_name(*, room: int, feed: int, started_us: int, kind: str) -> str:
    """The VideoRoom's own file name for a publisher's stream."""
    return f"videoroom-{room}-user-{feed}-{started_us}-{kind}-{0 if kind == 'audio' else 1}.mjr"
