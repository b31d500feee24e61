/*
 * ra-send IFNAME PREFIX [managed]: a minimal IPv6 router for the test network's server guest
 * (busybox has no radvd). Every second it multicasts a Router Advertisement (RFC 4861 4.2) to
 * ff02::1 on IFNAME: router lifetime 1800 s (a default router), one Prefix Information option for
 * PREFIX/64 with the on-link and autonomous flags (RFC 4862 SLAAC), and the source link-layer
 * address. With "managed": the Managed flag set (addresses by DHCPv6) and the prefix on-link only,
 * so that no host autoconfigures an address from it.
 * The kernel fills in the ICMPv6 checksum of a raw ICMPv6 socket; the source is IFNAME's
 * link-local address, as RFC 4861 requires. Built with gcc -static by network-vm.sh.
 */
#include <arpa/inet.h>
#include <net/if.h>
#include <netinet/icmp6.h>
#include <netinet/in.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <unistd.h>

int main(int argc, char **argv)
{
    if (argc != 3 && !(argc == 4 && strcmp(argv[3], "managed") == 0)) { fprintf(stderr, "usage: ra-send IFNAME PREFIX [managed]\n"); return 2; }
    int managed = argc == 4;
    unsigned index = if_nametoindex(argv[1]);
    struct in6_addr prefix;
    if (index == 0 || inet_pton(AF_INET6, argv[2], &prefix) != 1) { fprintf(stderr, "ra-send: bad interface or prefix\n"); return 2; }

    int fd = socket(AF_INET6, SOCK_RAW, IPPROTO_ICMPV6);
    if (fd < 0) { perror("ra-send: socket"); return 1; }
    int hops = 255;   /* receivers drop an RA whose hop limit is not 255 */
    if (setsockopt(fd, IPPROTO_IPV6, IPV6_MULTICAST_HOPS, &hops, sizeof hops) < 0
        || setsockopt(fd, IPPROTO_IPV6, IPV6_MULTICAST_IF, &index, sizeof index) < 0) { perror("ra-send: setsockopt"); return 1; }

    struct ifreq ifr;
    memset(&ifr, 0, sizeof ifr);
    snprintf(ifr.ifr_name, sizeof ifr.ifr_name, "%s", argv[1]);
    int s4 = socket(AF_INET, SOCK_DGRAM, 0);
    if (s4 < 0 || ioctl(s4, SIOCGIFHWADDR, &ifr) < 0) { perror("ra-send: SIOCGIFHWADDR"); return 1; }
    close(s4);

    unsigned char ra[16 + 32 + 8];
    memset(ra, 0, sizeof ra);
    struct nd_router_advert *adv = (struct nd_router_advert *)ra;
    adv->nd_ra_type = ND_ROUTER_ADVERT;
    adv->nd_ra_curhoplimit = 64;
    adv->nd_ra_router_lifetime = htons(1800);
    if (managed) adv->nd_ra_flags_reserved = ND_RA_FLAG_MANAGED;
    struct nd_opt_prefix_info *pi = (struct nd_opt_prefix_info *)(ra + 16);
    pi->nd_opt_pi_type = ND_OPT_PREFIX_INFORMATION;
    pi->nd_opt_pi_len = 4;
    pi->nd_opt_pi_prefix_len = 64;
    pi->nd_opt_pi_flags_reserved = managed ? ND_OPT_PI_FLAG_ONLINK : ND_OPT_PI_FLAG_ONLINK | ND_OPT_PI_FLAG_AUTO;
    pi->nd_opt_pi_valid_time = htonl(86400);
    pi->nd_opt_pi_preferred_time = htonl(14400);
    pi->nd_opt_pi_prefix = prefix;
    unsigned char *sll = ra + 16 + 32;
    sll[0] = ND_OPT_SOURCE_LINKADDR;
    sll[1] = 1;
    memcpy(sll + 2, ifr.ifr_hwaddr.sa_data, 6);

    struct sockaddr_in6 all = { .sin6_family = AF_INET6, .sin6_scope_id = index };
    inet_pton(AF_INET6, "ff02::1", &all.sin6_addr);
    printf("ra-send: advertising %s/64 on %s every second%s\n", argv[2], argv[1], managed ? ", addresses managed by DHCPv6" : "");
    fflush(stdout);
    for (;;) {
        if (sendto(fd, ra, sizeof ra, 0, (struct sockaddr *)&all, sizeof all) < 0) perror("ra-send: sendto");
        sleep(1);
    }
}
