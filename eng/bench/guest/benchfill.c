/* Guest-side helper of the 4 GiB benchmark vmcore (static, runs in the initramfs).
 * Fills memory with realistic, seeded, mixed-compressibility pages, fast enough for QEMU TCG:
 *   benchfill anon MIB SEED        anonymous memory kept alive by a background child
 *   benchfill stale MIB SEED       written then freed: free pages with old contents
 *   benchfill files DIR MIB SEED   1 MiB files (page cache when DIR is tmpfs/ext4)
 *   benchfill small DIR N          N small files in N/100 directories (slab: dentries, inodes)
 * Page kinds (by a hash of SEED and the page index): 30 % text, 15 % random, 15 % repeated records,
 * 15 % pointer-like words, 10 % sparse (mostly zero), 15 % zero. Written for this project. */
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#define PAGE 4096
#define CORPUS (64 * 1024)

static unsigned char s_corpus[CORPUS + PAGE];
static unsigned long s_counts[6];

static uint64_t mix(uint64_t x) { /* splitmix64 finaliser */
    x += 0x9e3779b97f4a7c15ULL;
    x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ULL;
    x = (x ^ (x >> 27)) * 0x94d049bb133111ebULL;
    return x ^ (x >> 31);
}

static void die(const char *what) { fprintf(stderr, "benchfill: %s: %s\n", what, strerror(errno)); exit(1); }

/* English-like text from a small vocabulary: compresses about 2-3x per page, like logs and configs. */
static void make_corpus(uint64_t seed) {
    static const char *words[] = {
        "the", "kernel", "memory", "page", "of", "and", "to", "in", "is", "for", "device", "driver", "error",
        "request", "buffer", "user", "process", "file", "system", "time", "data", "value", "config", "network",
        "address", "status", "return", "function", "static", "struct", "int", "const", "void", "if", "else",
        "while", "server", "client", "session", "token", "message", "warning", "info", "debug", "start", "stop",
        "connection", "timeout", "record", "index", "table", "query", "select", "from", "where", "update",
        "json", "http", "GET", "POST", "200", "404", "localhost", "/var/log/syslog" };
    size_t n = sizeof words / sizeof *words, o = 0;
    uint64_t s = mix(seed ^ 0x7465787431ULL);
    while (o < sizeof s_corpus) {
        s = mix(s);
        const char *w = words[s % n];
        size_t l = strlen(w);
        for (size_t i = 0; i < l && o < sizeof s_corpus; i++) s_corpus[o++] = (unsigned char)w[i];
        if (o < sizeof s_corpus) s_corpus[o++] = (s >> 32) % 11 == 0 ? '\n' : (s >> 40) % 7 == 0 ? '=' : ' ';
        if ((s >> 48) % 9 == 0 && o + 8 < sizeof s_corpus) o += (size_t)sprintf((char *)s_corpus + o, "%u ", (unsigned)(s >> 20) % 100000);
    }
}

/* Page n of stream `seed`; returns its kind (index into s_counts). */
static int fill_page(unsigned char *p, uint64_t seed, uint64_t n) {
    uint64_t h = mix(seed ^ (n * 0x100000001b3ULL)), *w = (uint64_t *)p, s = h;
    unsigned k = (unsigned)((h >> 32) % 100);
    if (k < 30) { /* text */
        memcpy(p, s_corpus + (h % CORPUS), PAGE);
        return 0;
    }
    if (k < 45) { /* random: incompressible (encrypted, compressed or media data) */
        for (size_t i = 0; i < PAGE / 8; i++) { s ^= s << 13; s ^= s >> 7; s ^= s << 17; w[i] = s; }
        return 1;
    }
    if (k < 60) { /* array of 32..128-byte records with a counter and a few varying fields */
        size_t rec = 32u << (h % 3);
        for (size_t o = 0; o < PAGE; o += rec) {
            uint64_t *r = (uint64_t *)(p + o);
            r[0] = 0x5245434f52440000ULL | (o / rec);
            r[1] = n;
            r[2] = (h >> (o / rec % 32)) & 0xffff;
            memset(r + 3, (int)(h & 0x7f), rec - 24);
        }
        return 2;
    }
    if (k < 75) { /* kernel/heap-like words: pointers into a few regions, small integers, flags */
        for (size_t i = 0; i < PAGE / 8; i++) {
            s ^= s << 13; s ^= s >> 7; s ^= s << 17;
            switch (s & 3) {
            case 0: w[i] = 0xffff888000000000ULL | ((s >> 8) & 0x3ffffff8ULL); break;
            case 1: w[i] = 0x00007f0000000000ULL | ((s >> 8) & 0xffffff0ULL); break;
            case 2: w[i] = (s >> 16) & 0xff; break;
            default: w[i] = 0; break;
            }
        }
        return 3;
    }
    if (k < 85) { /* sparse: a page mostly zero with a few values (partly used buffers) */
        memset(p, 0, PAGE);
        for (size_t i = 0; i < 16; i++) { s = mix(s); w[s % (PAGE / 8)] = s; }
        return 4;
    }
    memset(p, 0, PAGE); /* zero (allocated, never written with data) */
    return 5;
}

static void report(const char *what, long mib) {
    printf("benchfill: %s %ld MiB: text %lu random %lu records %lu words %lu sparse %lu zero %lu pages\n", what, mib,
           s_counts[0], s_counts[1], s_counts[2], s_counts[3], s_counts[4], s_counts[5]);
    fflush(stdout);
}

static unsigned char *fill_anon(long mib, uint64_t seed) {
    size_t len = (size_t)mib << 20;
    unsigned char *m = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (m == MAP_FAILED) die("mmap");
    for (size_t i = 0; i < len / PAGE; i++) s_counts[fill_page(m + i * PAGE, seed, i)]++;
    return m;
}

static int cmd_anon(long mib, uint64_t seed) {
    fill_anon(mib, seed);
    report("anon", mib);
    pid_t pid = fork();
    if (pid < 0) die("fork");
    if (pid > 0) return 0;
    setsid();
    for (;;) pause(); /* the child owns the pages until the machine stops */
}

static int cmd_stale(long mib, uint64_t seed) {
    fill_anon(mib, seed);
    report("stale (freed on exit)", mib);
    return 0;
}

static int cmd_files(const char *dir, long mib, uint64_t seed) {
    static unsigned char buf[1 << 20];
    char path[512];
    mkdir(dir, 0755);
    for (long f = 0; f < mib; f++) {
        for (size_t i = 0; i < sizeof buf / PAGE; i++)
            s_counts[fill_page(buf + i * PAGE, seed, (uint64_t)f * (sizeof buf / PAGE) + i)]++;
        snprintf(path, sizeof path, "%s/f%05ld", dir, f);
        int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0644);
        if (fd < 0) die(path);
        if (write(fd, buf, sizeof buf) != (ssize_t)sizeof buf) die("write");
        close(fd);
    }
    report("files", mib);
    return 0;
}

static int cmd_small(const char *dir, long n) {
    char p[512], buf[200];
    mkdir(dir, 0755);
    for (long i = 0; i < n; i++) {
        if (i % 100 == 0) {
            snprintf(p, sizeof p, "%s/d%05ld", dir, i / 100);
            if (mkdir(p, 0755) && errno != EEXIST) die(p);
        }
        snprintf(p, sizeof p, "%s/d%05ld/small-file-%07ld.conf", dir, i / 100, i);
        int fd = open(p, O_WRONLY | O_CREAT | O_TRUNC, 0644);
        if (fd < 0) die(p);
        int len = snprintf(buf, sizeof buf, "name=%ld\nowner=bench\n", i);
        if (write(fd, buf, (size_t)len) != len) die("write");
        close(fd);
    }
    printf("benchfill: %ld small files under %s\n", n, dir);
    return 0;
}

int main(int argc, char **argv) {
    make_corpus(argc > 3 ? strtoull(argv[argc - 1], NULL, 0) : 1);
    if (argc == 4 && !strcmp(argv[1], "anon")) return cmd_anon(atol(argv[2]), strtoull(argv[3], NULL, 0));
    if (argc == 4 && !strcmp(argv[1], "stale")) return cmd_stale(atol(argv[2]), strtoull(argv[3], NULL, 0));
    if (argc == 5 && !strcmp(argv[1], "files")) return cmd_files(argv[2], atol(argv[3]), strtoull(argv[4], NULL, 0));
    if (argc == 4 && !strcmp(argv[1], "small")) return cmd_small(argv[2], atol(argv[3]));
    fprintf(stderr, "usage: benchfill anon MIB SEED | stale MIB SEED | files DIR MIB SEED | small DIR N\n");
    return 2;
}
