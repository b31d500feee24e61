/* How much of the `-l` codec time goes to pages whose exact bytes were compressed before in the
 * same dump, and how far back the earlier copy lies: would a cache of "these bytes compress to
 * those" pay? Reads every non-zero 4 KiB page of an ELF64 vmcore into memory, times liblzo2's
 * lzo1x_1_compress on each, then replays the pages through direct-mapped tables of 2^8..2^20
 * slots keyed by a hash of the page (a hit needs the same hash in its slot; the page is then
 * known to be a repeat, the hash being a 64-bit mix of all its words) and prints what each table
 * would save. Written for this project (the loading is vmcore-pages.h, shared with codec-floor.c).
 *   gcc -O2 eng/bench/duplicate-pages.c -o /tmp/duplicate-pages -l:liblzo2.so.2
 *   flock /tmp/kdump-heavy.lock /tmp/duplicate-pages .lab/fixtures/bookworm/proc-vmcore.elf */
#include "vmcore-pages.h"

static uint64_t page_hash(const unsigned char *p)
{
    uint64_t h = 0x9e3779b97f4a7c15ull;
    for (int i = 0; i < PAGE; i += 8) {
        uint64_t w;
        memcpy(&w, p + i, 8);
        h = (h ^ w) * 0x100000001b3ull;
        h ^= h >> 29;
    }
    return h | 1; /* 0 marks an empty slot */
}

int main(int argc, char **argv)
{
    if (argc != 2) { fprintf(stderr, "usage: duplicate-pages VMCORE\n"); return 2; }
    size_t n;
    unsigned char *pages = load_nonzero_pages(argv[1], &n);
    lzo_init_or_exit();
    static unsigned char work[1 << 17], out[2 * PAGE];
    double *cost = calloc(n, sizeof *cost), all = 0;
    uint64_t *hash = calloc(n, sizeof *hash);
    size_t same_filled = 0;
    for (size_t i = 0; i < n; i++) {
        const unsigned char *p = pages + (size_t)PAGE * i;
        unsigned long len;
        double t = now();
        lzo1x_1_compress(p, PAGE, out, &len, work);
        cost[i] = now() - t;
        all += cost[i];
        hash[i] = page_hash(p);
        uint64_t first;
        memcpy(&first, p, 8);
        int same = 1;
        for (int o = 8; o < PAGE && same; o += 8) same = !memcmp(p + o, &first, 8);
        same_filled += same;
    }
    /* Every repeat, whatever the distance: an open-addressed set as large as the dump. */
    size_t cap = 1;
    while (cap < 2 * n) cap <<= 1;
    uint64_t *seen = calloc(cap, sizeof *seen);
    size_t repeats = 0;
    double repeat_cost = 0;
    for (size_t i = 0; i < n; i++) {
        size_t s = hash[i] & (cap - 1);
        while (seen[s] && seen[s] != hash[i]) s = (s + 1) & (cap - 1);
        if (seen[s]) { repeats++; repeat_cost += cost[i]; } else seen[s] = hash[i];
    }
    printf("%s: %zu non-zero pages, %zu repeats of an earlier page (%zu same-filled pages in all)\n", argv[1], n, repeats, same_filled);
    printf("lzo1x_1_compress: %.3f s in all, %.3f s (%.1f %%) on the repeats\n", all, repeat_cost, 100 * repeat_cost / all);
    for (int bits = 8; bits <= 20; bits += 2) {
        size_t slots = (size_t)1 << bits, hits = 0;
        uint64_t *slot = calloc(slots, sizeof *slot);
        double saved = 0;
        for (size_t i = 0; i < n; i++) {
            size_t s = (hash[i] >> 7) & (slots - 1);
            if (slot[s] == hash[i]) { hits++; saved += cost[i]; } else slot[s] = hash[i];
        }
        printf("direct-mapped 2^%-2d slots: %6zu hits, would save %.3f s (%.1f %%)\n", bits, hits, saved, 100 * saved / all);
        free(slot);
    }
    return 0;
}
