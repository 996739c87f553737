/* Busy-host socket holder for the benchmark: binds (and for TCP listens on) every address given as
 * tcp:IP:PORT or udp:IP:PORT, then sleeps until killed. Written in C only to keep 800 of them
 * within memory (a Node or Python holder costs 10-40 MB each). Built by bench/busy-host.mjs. */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

int main(int argc, char **argv) {
  for (int i = 1; i < argc; i++) {
    char proto[4], ip[64];
    int port;
    if (sscanf(argv[i], "%3[^:]:%63[^:]:%d", proto, ip, &port) != 3) { fprintf(stderr, "bad spec %s\n", argv[i]); return 2; }
    int udp = strcmp(proto, "udp") == 0;
    int fd = socket(AF_INET, udp ? SOCK_DGRAM : SOCK_STREAM, 0);
    int one = 1;
    /* a TIME_WAIT left by an earlier test on the same port must not fail the bind */
    if (!udp) setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
    struct sockaddr_in a;
    memset(&a, 0, sizeof a);
    a.sin_family = AF_INET;
    a.sin_port = htons((unsigned short)port);
    inet_pton(AF_INET, ip, &a.sin_addr);
    if (fd < 0 || bind(fd, (struct sockaddr *)&a, sizeof a) != 0) { perror(argv[i]); return 1; }
    if (!udp && listen(fd, 4) != 0) { perror("listen"); return 1; }
  }
  printf("ready\n");
  fflush(stdout);
  for (;;) pause();
}
