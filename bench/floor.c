/* floor: the read-and-touch floor for sipflow's throughput targets.
 *
 * Reads every packet of a capture with libpcap and memchr()s its payload
 * for the end of the SIP header block (the first empty line), the least
 * work any SIP analyzer must do. Nothing is parsed, nothing is kept.
 *
 *   cc -O2 -o floor bench/floor.c -lpcap && ./floor w100k.pcap
 *
 * Prints packets, payload bytes and how many payloads had a header end, so
 * the compiler cannot drop the scan.
 */
#include <pcap/pcap.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

/* Offset of the UDP payload in an Ethernet/IPv4 or Ethernet/IPv6 frame, or 0. */
static size_t payload_offset(const uint8_t* p, size_t n) {
  if (n < 14) return 0;
  unsigned type = (unsigned)p[12] << 8 | p[13];
  if (type == 0x0800 && n >= 14 + 20) {
    size_t ihl = (size_t)(p[14] & 0x0F) * 4;
    return 14 + ihl + 8 <= n ? 14 + ihl + 8 : 0;
  }
  if (type == 0x86DD && n >= 14 + 40 + 8) return 14 + 40 + 8;
  return 0;
}

/* Offset just past the empty line ending the header block, or 0. */
static size_t header_end(const char* s, size_t n) {
  const char *p = s, *end = s + n;
  while (p < end) {
    const char* nl = memchr(p, '\n', (size_t)(end - p));
    if (nl == NULL) return 0;
    p = nl + 1;
    if (p < end && *p == '\n') return (size_t)(p + 1 - s);
    if (p + 1 < end && p[0] == '\r' && p[1] == '\n') return (size_t)(p + 2 - s);
  }
  return 0;
}

int main(int argc, char** argv) {
  if (argc != 2) {
    fprintf(stderr, "usage: %s FILE.pcap\n", argv[0]);
    return 2;
  }
  char err[PCAP_ERRBUF_SIZE];
  pcap_t* pc = pcap_open_offline(argv[1], err);
  if (pc == NULL) {
    fprintf(stderr, "floor: %s\n", err);
    return 2;
  }
  struct pcap_pkthdr* h;
  const u_char* data;
  uint64_t packets = 0, bytes = 0, ended = 0, header_bytes = 0;
  int rc;
  while ((rc = pcap_next_ex(pc, &h, &data)) == 1) {
    ++packets;
    size_t off = payload_offset(data, h->caplen);
    if (off == 0) continue;
    size_t len = h->caplen - off;
    bytes += len;
    size_t e = header_end((const char*)data + off, len);
    ended += e != 0;
    header_bytes += e;
  }
  if (rc == -1) fprintf(stderr, "floor: %s\n", pcap_geterr(pc));
  pcap_close(pc);
  printf("%llu packets, %llu payload bytes, %llu header blocks (%llu bytes)\n",
         (unsigned long long)packets, (unsigned long long)bytes, (unsigned long long)ended,
         (unsigned long long)header_bytes);
  return rc == -1 ? 1 : 0;
}
