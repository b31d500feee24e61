/* Shared by the bench's C programs (codec-floor.c, duplicate-pages.c): every non-zero 4 KiB page
 * of an ELF64 vmcore's PT_LOADs, read into memory, and liblzo2's init. Written for this project;
 * prototypes are declared here so that no -dev package is needed. */
#ifndef KDUMP_BENCH_VMCORE_PAGES_H
#define KDUMP_BENCH_VMCORE_PAGES_H
#include <elf.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

enum { PAGE = 4096, MAX_PAGES = 1 << 22 };

int __lzo_init_v2(unsigned, int, int, int, int, int, int, int, int, int);
int lzo1x_1_compress(const unsigned char *, unsigned long, unsigned char *, unsigned long *, void *);

static double now(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return t.tv_sec + t.tv_nsec * 1e-9;
}

/* The non-zero pages of PATH, one after another (*count of them); exits with a message on error. */
static unsigned char *load_nonzero_pages(const char *path, size_t *count)
{
    FILE *f = fopen(path, "rb");
    Elf64_Ehdr eh;
    if (!f || fread(&eh, sizeof eh, 1, f) != 1 || memcmp(eh.e_ident, ELFMAG, SELFMAG) || eh.e_ident[EI_CLASS] != ELFCLASS64
        || eh.e_phentsize != sizeof(Elf64_Phdr) || eh.e_phnum == 0) {
        fprintf(stderr, "%s: not an ELF64 vmcore\n", path);
        exit(1);
    }
    Elf64_Phdr *ph = calloc(eh.e_phnum, sizeof *ph);
    if (!ph || fseeko(f, (off_t)eh.e_phoff, SEEK_SET) || fread(ph, sizeof *ph, eh.e_phnum, f) != eh.e_phnum) {
        fprintf(stderr, "%s: cannot read the program headers\n", path);
        exit(1);
    }
    size_t n = 0;
    unsigned char *pages = malloc((size_t)MAX_PAGES * PAGE), page[PAGE], zero[PAGE] = {0};
    if (!pages) { perror("malloc"); exit(1); }
    for (int i = 0; i < eh.e_phnum; i++) {
        if (ph[i].p_type != PT_LOAD || fseeko(f, (off_t)ph[i].p_offset, SEEK_SET)) continue;
        for (uint64_t o = 0; o + PAGE <= ph[i].p_filesz && n < MAX_PAGES; o += PAGE) {
            if (fread(page, 1, PAGE, f) != PAGE) break;
            if (memcmp(page, zero, PAGE)) memcpy(pages + (size_t)PAGE * n++, page, PAGE);
        }
    }
    free(ph);
    fclose(f);
    *count = n;
    return pages;
}

static void lzo_init_or_exit(void)
{
    if (__lzo_init_v2(2, (int)sizeof(short), (int)sizeof(int), (int)sizeof(long), (int)sizeof(unsigned),
                      (int)sizeof(unsigned long), (int)sizeof(char *), (int)sizeof(char *), (int)sizeof(void *), -1) != 0) {
        fprintf(stderr, "lzo_init failed\n");
        exit(1);
    }
}
#endif
