/* Guest-side helper for the kdump fixture lab (static, runs in the initramfs).
 * Creates deterministic memory state before a dump:
 *   labhelper fill MIB SEED          anonymous memory: pattern pages + zero pages; a child keeps it
 *   labhelper file PATH MIB SEED     a file with pattern data (page cache)
 *   labhelper tree DIR NDIRS NFILES  many small files in many directories (slab: dentries, inodes)
 *   labhelper kmsg COUNT SEED        COUNT records to /dev/kmsg (long lines, UTF-8, bytes >= 0x80)
 *   labhelper consolelevel N         set the console log level (klogctl)
 * Written for this project; every value derives from SEED so that runs are reproducible. */
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/klog.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#define PAGE 4096

static uint64_t mix(uint64_t x) { /* splitmix64 finaliser */
    x += 0x9e3779b97f4a7c15ULL;
    x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ULL;
    x = (x ^ (x >> 27)) * 0x94d049bb133111ebULL;
    return x ^ (x >> 31);
}

/* Page n of stream `seed`: 16-byte tag "KDLAB-PG" + page index, then pseudo-random words. */
static void fill_page(unsigned char *p, uint64_t seed, uint64_t n) {
    uint64_t *w = (uint64_t *)p, s = mix(seed ^ (n * 0x100000001b3ULL));
    memcpy(p, "KDLAB-PG", 8);
    w[1] = n;
    for (size_t i = 2; i < PAGE / 8; i++) { s = mix(s); w[i] = s; }
}

static void die(const char *what) { fprintf(stderr, "labhelper: %s: %s\n", what, strerror(errno)); exit(1); }

static int cmd_fill(long mib, uint64_t seed) {
    size_t len = (size_t)mib << 20, pages = len / PAGE;
    unsigned char *m = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (m == MAP_FAILED) die("mmap");
    size_t zero = 0;
    for (size_t i = 0; i < pages; i++) {
        /* Every 8th page is written with zeros: allocated, but a "zero page" to makedumpfile -d 1. */
        if (i % 8 == 7) { memset(m + i * PAGE, 0, PAGE); zero++; }
        else fill_page(m + i * PAGE, seed, i);
    }
    pid_t pid = fork();
    if (pid < 0) die("fork");
    if (pid > 0) { printf("labhelper: filled %ld MiB (%zu pattern pages, %zu zero pages) pid %d\n", mib, pages - zero, zero, pid); return 0; }
    setsid();
    for (;;) pause(); /* the child owns the pages until the machine dies */
}

static int cmd_file(const char *path, long mib, uint64_t seed) {
    unsigned char page[PAGE];
    int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0644);
    if (fd < 0) die(path);
    for (size_t i = 0; i < ((size_t)mib << 20) / PAGE; i++) {
        fill_page(page, seed, i);
        if (write(fd, page, PAGE) != PAGE) die("write");
    }
    close(fd);
    return 0;
}

static int cmd_tree(const char *dir, long ndirs, long nfiles) {
    char p[512], buf[256];
    mkdir(dir, 0755);
    for (long d = 0; d < ndirs; d++) {
        snprintf(p, sizeof p, "%s/d%04ld", dir, d);
        if (mkdir(p, 0755) && errno != EEXIST) die(p);
        for (long f = 0; f < nfiles; f++) {
            snprintf(p, sizeof p, "%s/d%04ld/f%04ld", dir, d, f);
            int fd = open(p, O_WRONLY | O_CREAT | O_TRUNC, 0644);
            if (fd < 0) die(p);
            int n = snprintf(buf, sizeof buf, "lab file %ld/%ld\n", d, f);
            if (write(fd, buf, n) != n) die("write");
            close(fd);
        }
    }
    return 0;
}

static int cmd_kmsg(long count, uint64_t seed) {
    static const char alpha[] = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789 _-.:/=";
    char rec[1100];
    int fd = open("/dev/kmsg", O_WRONLY);
    if (fd < 0) die("/dev/kmsg");
    size_t total = 0;
    for (long i = 0; i < count; i++) {
        uint64_t s = mix(seed ^ (uint64_t)i);
        /* user.info, user.debug, local0.notice mixed; below the console level set by the caller. */
        static const int prio[] = {14, 15, 15, 133};
        int n = snprintf(rec, sizeof rec, "<%d>kdlab[%05ld]: ", prio[s % 4], i);
        size_t len = 16 + (size_t)((s >> 8) % 800); /* 16..815 payload bytes: long lines (limit ~990) */
        if (i % 50 == 0) n += snprintf(rec + n, sizeof rec - n, "caf\xc3\xa9 \xc3\xa9t\xc3\xa9 na\xc3\xafve \xe2\x82\xac ");
        if (i % 97 == 0) n += snprintf(rec + n, sizeof rec - n, "raw:\x80\xfe\xff\xa0: ");
        if (i % 131 == 0) n += snprintf(rec + n, sizeof rec - n, "tab\there ");
        for (size_t k = 0; k < len; k++) { s = mix(s); rec[n++] = alpha[s % (sizeof alpha - 1)]; }
        n += snprintf(rec + n, sizeof rec - n, " end%05ld", i);
        if (write(fd, rec, n) != n) die("write /dev/kmsg");
        total += n;
    }
    close(fd);
    printf("labhelper: wrote %ld kmsg records, %zu bytes\n", count, total);
    return 0;
}

int main(int argc, char **argv) {
    setvbuf(stdout, NULL, _IONBF, 0);
    if (argc == 4 && !strcmp(argv[1], "fill")) return cmd_fill(atol(argv[2]), strtoull(argv[3], NULL, 0));
    if (argc == 5 && !strcmp(argv[1], "file")) return cmd_file(argv[2], atol(argv[3]), strtoull(argv[4], NULL, 0));
    if (argc == 5 && !strcmp(argv[1], "tree")) return cmd_tree(argv[2], atol(argv[3]), atol(argv[4]));
    if (argc == 4 && !strcmp(argv[1], "kmsg")) return cmd_kmsg(atol(argv[2]), strtoull(argv[3], NULL, 0));
    if (argc == 3 && !strcmp(argv[1], "consolelevel")) { if (klogctl(8, NULL, atoi(argv[2])) < 0) die("klogctl"); return 0; }
    fprintf(stderr, "usage: labhelper fill MIB SEED | file PATH MIB SEED | tree DIR NDIRS NFILES | kmsg COUNT SEED | consolelevel N\n");
    return 2;
}
