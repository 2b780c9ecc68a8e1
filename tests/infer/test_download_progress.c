/*
 * test_download_progress.c — fu_progress_bar draws
 * "file [#####     ] 45% 12.3/27.0 MB x MB/s" with \r on a terminal (a
 * pseudo-terminal here), ends the line at 100 %, and writes nothing when
 * stderr is not a terminal.
 */
#include <fcntl.h>
#include <poll.h>
#include <pty.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "infer/download.h"
#include "testlib.h"

/* Runs fu_progress_bar calls with stderr on fd, returns what was written
 * (read back from read_fd) into buf. */
static void draw_on(int fd, int read_fd, char *buf, size_t size)
{
    int saved = dup(STDERR_FILENO);
    ssize_t n;

    fflush(stderr);
    dup2(fd, STDERR_FILENO);
    fu_progress_bar("model.onnx", 12300000, 27000000, NULL);
    fu_progress_bar("model.onnx", 27000000, 27000000, NULL);
    fflush(stderr);
    dup2(saved, STDERR_FILENO);
    close(saved);
    /* A pty hands the bytes over in pieces: read until none come for 200 ms. */
    size_t got = 0;
    struct pollfd p = {read_fd, POLLIN, 0};
    while (got < size - 1 && poll(&p, 1, 200) > 0 && (n = read(read_fd, buf + got, size - 1 - got)) > 0)
        got += (size_t)n;
    buf[got] = '\0';
}

static void test_bar_on_a_terminal(void)
{
    int master, slave;
    char out[4096];

    if (openpty(&master, &slave, NULL, NULL, NULL) != 0) {
        tl_skip("no pseudo-terminal");
        return;
    }
    draw_on(slave, master, out, sizeof out);
    CHECK(strstr(out, "\rmodel.onnx [#########           ]  45% 12.3/27.0 MB") != NULL,
          "half-way bar: %s", out);
    CHECK(strstr(out, "[####################] 100% 27.0/27.0 MB") != NULL, "full bar: %s", out);
    CHECK(strstr(out, "MB/s") != NULL, "speed shown: %s", out);
    CHECK(strchr(out, '\n') != NULL, "line ended at 100%%: %s", out);
    close(slave);
    close(master);
}

static void test_silent_when_not_a_terminal(void)
{
    int fds[2];
    char out[256];

    REQUIRE(pipe(fds) == 0, "pipe");
    fcntl(fds[0], F_SETFL, O_NONBLOCK);
    draw_on(fds[1], fds[0], out, sizeof out);
    CHECK(out[0] == '\0', "wrote to a pipe: %s", out);
    close(fds[0]);
    close(fds[1]);
}

int main(void)
{
    RUN(test_bar_on_a_terminal);
    RUN(test_silent_when_not_a_terminal);
    return tl_finish();
}
