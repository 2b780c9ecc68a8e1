/*
 * http_testserver.h — a tiny HTTP/1.1 server on 127.0.0.1 for download
 * tests (static, header-only; one connection at a time, on its own thread).
 * Paths choose the behaviour:
 *   .../NAME.hash       the eight hex digits "0badc0de" (Content-Length set)
 *   /slow/...           announces 10 MB, then trickles 1000 bytes every 50 ms
 *   /nolength/...       no Content-Length: 64 KB bursts, 4 MB in all
 *   /liar/...           announces 1000 bytes, sends 5000
 * hs_start() returns the port; hs_stop() ends the thread.
 */
#ifndef FU_HTTP_TESTSERVER_H
#define FU_HTTP_TESTSERVER_H

#include <netinet/in.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

static int hs_listen_fd = -1;
static volatile int hs_stopping;
static pthread_t hs_thread;

static int hs_send(int fd, const void *data, size_t n)
{
    return send(fd, data, n, MSG_NOSIGNAL) == (ssize_t)n;
}

static void hs_serve(int fd)
{
    char req[2048] = "", head[256], chunk[65536];
    ssize_t got = recv(fd, req, sizeof req - 1, 0);
    if (got <= 0)
        return;
    req[got] = '\0';
    char *path = strchr(req, ' ');
    if (!path)
        return;
    path++;
    memset(chunk, 'x', sizeof chunk);
    if (strstr(path, ".hash ")) {
        snprintf(head, sizeof head, "HTTP/1.1 200 OK\r\nContent-Length: 9\r\nConnection: close\r\n\r\n0badc0de\n");
        hs_send(fd, head, strlen(head));
    } else if (strncmp(path, "/slow/", 6) == 0) {
        snprintf(head, sizeof head, "HTTP/1.1 200 OK\r\nContent-Length: 10000000\r\nConnection: close\r\n\r\n");
        if (!hs_send(fd, head, strlen(head)))
            return;
        for (int i = 0; i < 2000 && !hs_stopping && hs_send(fd, chunk, 1000); i++)
            usleep(50000);
    } else if (strncmp(path, "/nolength/", 10) == 0) {
        snprintf(head, sizeof head, "HTTP/1.1 200 OK\r\nConnection: close\r\n\r\n");
        if (!hs_send(fd, head, strlen(head)))
            return;
        for (int i = 0; i < 64 && hs_send(fd, chunk, sizeof chunk); i++)
            ;
    } else if (strncmp(path, "/liar/", 6) == 0) {
        snprintf(head, sizeof head, "HTTP/1.1 200 OK\r\nContent-Length: 1000\r\nConnection: close\r\n\r\n");
        if (hs_send(fd, head, strlen(head)))
            hs_send(fd, chunk, 5000);
    } else {
        snprintf(head, sizeof head, "HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\nConnection: close\r\n\r\n");
        hs_send(fd, head, strlen(head));
    }
}

static void *hs_main(void *arg)
{
    (void)arg;
    while (!hs_stopping) {
        struct pollfd p = {hs_listen_fd, POLLIN, 0};
        if (poll(&p, 1, 100) <= 0)
            continue;
        int fd = accept(hs_listen_fd, NULL, NULL);
        if (fd < 0)
            continue;
        hs_serve(fd);
        close(fd);
    }
    return NULL;
}

static int hs_start(void)
{
    struct sockaddr_in a;
    socklen_t len = sizeof a;
    memset(&a, 0, sizeof a);
    a.sin_family = AF_INET;
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    hs_listen_fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (hs_listen_fd < 0 || bind(hs_listen_fd, (struct sockaddr *)&a, sizeof a) != 0 || listen(hs_listen_fd, 8) != 0 ||
        getsockname(hs_listen_fd, (struct sockaddr *)&a, &len) != 0)
        return -1;
    hs_stopping = 0;
    if (pthread_create(&hs_thread, NULL, hs_main, NULL) != 0)
        return -1;
    return ntohs(a.sin_port);
}

static void hs_stop(void)
{
    hs_stopping = 1;
    pthread_join(hs_thread, NULL);
    close(hs_listen_fd);
}

#endif
