/* The codec floor of `-l -d 1`: liblzo2's lzo1x_1_compress (what makedumpfile and our default
 * call) and liblz4's LZ4_compress_fast over every non-zero 4 KiB page of an ELF64 vmcore, pages
 * held in memory, nothing read or written while timed. Tells how much of a whole run the codec
 * alone takes, and whether another LZ77 of the same class would be faster at the same size.
 * Written for this project (the loading is vmcore-pages.h, shared with duplicate-pages.c).
 *   gcc -O2 eng/bench/codec-floor.c -o /tmp/codec-floor -l:liblzo2.so.2 -l:liblz4.so.1
 *   flock /tmp/kdump-heavy.lock /tmp/codec-floor .lab/bench/vmcore-4g-phdrs64.elf */
#include "vmcore-pages.h"

int LZ4_compress_fast(const char *, char *, int, int, int);

int main(int argc, char **argv)
{
    if (argc != 2) { fprintf(stderr, "usage: codec-floor VMCORE\n"); return 2; }
    size_t n;
    unsigned char *pages = load_nonzero_pages(argv[1], &n);
    printf("%zu non-zero pages from %s\n", n, argv[1]);
    lzo_init_or_exit();
    static unsigned char work[1 << 17]; /* LZO1X_1_MEM_COMPRESS is 2^14 entries of a pointer-sized word at most */
    static unsigned char out[2 * PAGE];
    const int accelerations[] = {1, 2, 4};
    /* Rounds alternate between the encoders so that load from elsewhere hits them alike. A page that
     * does not shrink is counted at its raw size, as the dump stores it. */
    for (int round = 0; round < 3; round++) {
        double t = now();
        unsigned long long total = 0;
        for (size_t i = 0; i < n; i++) {
            unsigned long len = 0;
            if (lzo1x_1_compress(pages + (size_t)PAGE * i, PAGE, out, &len, work) != 0) len = PAGE;
            total += len < PAGE ? len : PAGE;
        }
        printf("lzo1x_1_compress          %.3f s  %llu bytes\n", now() - t, total);
        for (size_t a = 0; a < sizeof accelerations / sizeof *accelerations; a++) {
            t = now();
            total = 0;
            for (size_t i = 0; i < n; i++) {
                int len = LZ4_compress_fast((const char *)pages + (size_t)PAGE * i, (char *)out, PAGE, (int)sizeof out, accelerations[a]);
                total += len > 0 && len < PAGE ? (unsigned)len : PAGE;
            }
            printf("LZ4_compress_fast acc %d   %.3f s  %llu bytes\n", accelerations[a], now() - t, total);
        }
    }
    return 0;
}
