/* The codec floor of `-l -d 1`: liblzo2's lzo1x_1_compress (what makedumpfile and our default
 * call) and liblz4's LZ4_compress_fast over every non-zero 4 KiB page of an ELF64 vmcore, pages
 * held in memory, nothing read or written while timed. Tells how much of a whole run the codec
 * alone takes, and whether another LZ77 of the same class would be faster at the same size.
 * Written for this project; the prototypes are declared here so that no -dev package is needed.
 *   gcc -O2 eng/bench/codec-floor.c -o /tmp/codec-floor -l:liblzo2.so.2 -l:liblz4.so.1
 *   flock /tmp/kdump-heavy.lock /tmp/codec-floor .lab/bench/vmcore-4g-phdrs64.elf */
#include <elf.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

int __lzo_init_v2(unsigned, int, int, int, int, int, int, int, int, int);
int lzo1x_1_compress(const unsigned char *, unsigned long, unsigned char *, unsigned long *, void *);
int LZ4_compress_fast(const char *, char *, int, int, int);

enum { PAGE = 4096, MAX_PAGES = 1 << 22 };

static double now(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return t.tv_sec + t.tv_nsec * 1e-9;
}

int main(int argc, char **argv)
{
    if (argc != 2) { fprintf(stderr, "usage: codec-floor VMCORE\n"); return 2; }
    FILE *f = fopen(argv[1], "rb");
    Elf64_Ehdr eh;
    if (!f || fread(&eh, sizeof eh, 1, f) != 1 || memcmp(eh.e_ident, ELFMAG, SELFMAG) || eh.e_ident[EI_CLASS] != ELFCLASS64
        || eh.e_phentsize != sizeof(Elf64_Phdr) || eh.e_phnum == 0) {
        fprintf(stderr, "%s: not an ELF64 vmcore\n", argv[1]);
        return 1;
    }
    Elf64_Phdr *ph = calloc(eh.e_phnum, sizeof *ph);
    if (!ph || fseeko(f, (off_t)eh.e_phoff, SEEK_SET) || fread(ph, sizeof *ph, eh.e_phnum, f) != eh.e_phnum) {
        fprintf(stderr, "%s: cannot read the program headers\n", argv[1]);
        return 1;
    }
    size_t n = 0;
    unsigned char *pages = malloc((size_t)MAX_PAGES * PAGE), page[PAGE], zero[PAGE] = {0};
    if (!pages) { perror("malloc"); return 1; }
    for (int i = 0; i < eh.e_phnum; i++) {
        if (ph[i].p_type != PT_LOAD || fseeko(f, (off_t)ph[i].p_offset, SEEK_SET)) continue;
        for (uint64_t o = 0; o + PAGE <= ph[i].p_filesz && n < MAX_PAGES; o += PAGE) {
            if (fread(page, 1, PAGE, f) != PAGE) break;
            if (memcmp(page, zero, PAGE)) memcpy(pages + (size_t)PAGE * n++, page, PAGE);
        }
    }
    printf("%zu non-zero pages from %s\n", n, argv[1]);
    if (__lzo_init_v2(2, (int)sizeof(short), (int)sizeof(int), (int)sizeof(long), (int)sizeof(unsigned),
                      (int)sizeof(unsigned long), (int)sizeof(char *), (int)sizeof(char *), (int)sizeof(void *), -1) != 0) {
        fprintf(stderr, "lzo_init failed\n");
        return 1;
    }
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
