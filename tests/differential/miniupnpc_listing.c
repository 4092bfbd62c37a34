/* See miniupnpc_listing.h: why this one call goes through C. */
#include "miniupnpc_listing.h"

#include <stdlib.h>
#include <string.h>

#include <miniupnpc/portlistingparse.h>

_Static_assert(sizeof(UNSIGNED_INTEGER) == sizeof(unsigned long long),
               "compile this file as C99 or later, as Debian builds libminiupnpc");

int bw_mini_port_listing(const char* xml, int size,
                         void (*each)(void* ctx, const struct bw_mini_mapping* m), void* ctx) {
  struct PortMappingParserData data;
  const struct PortMapping* pm;
  struct bw_mini_mapping* all;
  int n = 0, i;
  ParsePortListing(xml, size, &data);
  for (pm = data.l_head; pm; pm = pm->l_next) {
    ++n;
  }
  /* The library pushes each new entry at the head of its list: walk it into an array, then
   * hand the entries out from the last one (the first in the document). */
  all = calloc(n ? (size_t)n : 1, sizeof *all);
  if (!all) {
    FreePortListing(&data);
    return -1;
  }
  for (pm = data.l_head, i = n - 1; pm; pm = pm->l_next, --i) {
    all[i].lease_time = pm->leaseTime;
    all[i].external_port = pm->externalPort;
    all[i].internal_port = pm->internalPort;
    memcpy(all[i].remote_host, pm->remoteHost, sizeof all[i].remote_host);
    memcpy(all[i].internal_client, pm->internalClient, sizeof all[i].internal_client);
    memcpy(all[i].description, pm->description, sizeof all[i].description);
    memcpy(all[i].protocol, pm->protocol, sizeof all[i].protocol);
    all[i].enabled = pm->enabled;
  }
  for (i = 0; i < n; ++i) {
    each(ctx, &all[i]);
  }
  free(all);
  FreePortListing(&data);
  return n;
}
