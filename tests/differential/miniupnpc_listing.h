/* miniupnpc's ParsePortListing behind a C boundary, for the differential test.
 *
 * struct PortMapping cannot be read from C++: its leaseTime is UNSIGNED_INTEGER, which
 * miniupnpctypes.h makes `unsigned long long` when __STDC_VERSION__ >= 199901L (the library, built
 * as C) and `unsigned int` otherwise (any C++ compiler, which does not define __STDC_VERSION__).
 * The two layouts differ (224 against 216 bytes on amd64) and every field after leaseTime would be
 * read 8 bytes off. This file is compiled as C and copies each entry into a struct both agree on. */
#ifndef BOXWARDEN_MINIUPNPC_LISTING_H
#define BOXWARDEN_MINIUPNPC_LISTING_H

#ifdef __cplusplus
extern "C" {
#endif

struct bw_mini_mapping {
  unsigned long long lease_time;
  unsigned short external_port;
  unsigned short internal_port;
  char remote_host[64];
  char internal_client[64];
  char description[64];
  char protocol[4];
  unsigned char enabled;
};

/* Parses `xml` with ParsePortListing and calls `each` for every entry, in document order.
 * Returns the number of entries. */
int bw_mini_port_listing(const char* xml, int size,
                         void (*each)(void* ctx, const struct bw_mini_mapping* m), void* ctx);

#ifdef __cplusplus
}
#endif

#endif
