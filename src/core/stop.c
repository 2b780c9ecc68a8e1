/*
 * stop.c — signal handlers that ask the run to stop (see stop.h).
 *
 * The handler only stores to sig_atomic_t / volatile flags, and on a second
 * signal uses write(), unlink() (in fu_output_remove_all_partial) and
 * _exit(): all async-signal-safe.
 */
#include "core/stop.h"

#include <signal.h>
#include <string.h>
#include <unistd.h>

#include "core/file.h"

enum { EXIT_STOPPED = 4 };

static volatile int *stop_flag;
static volatile sig_atomic_t stop_sig;
static volatile sig_atomic_t stop_reported; /* the run's own stop line is out */
static int stderr_is_terminal; /* a progress bar may be mid-line: end it first */

static const char *reason_of(int sig)
{
    switch (sig) {
    case SIGINT: return "Ctrl-C (SIGINT)";
    case SIGTERM: return "SIGTERM";
    case SIGHUP: return "SIGHUP (terminal closed)";
    default: return "a stop request";
    }
}

static void say(const char *s)
{
    ssize_t ignored = write(STDERR_FILENO, s, strlen(s));
    (void)ignored;
}

static void on_stop_signal(int sig)
{
    if (stop_sig) {
        /* Second signal: nothing is waited for; say what happened, unless
         * the run already said it stopped (one line either way). */
        fu_output_remove_all_partial();
        if (stop_reported)
            _exit(EXIT_STOPPED);
        if (stderr_is_terminal)
            say("\n");
        say("facefuse: error: stopped at once by a second ");
        say(reason_of(sig));
        say("; partial files removed, nothing written\n");
        _exit(EXIT_STOPPED);
    }
    stop_sig = sig;
    if (stop_flag)
        *stop_flag = 1;
}

void fu_stop_install(volatile int *flag)
{
    struct sigaction sa;

    stop_flag = flag;
    stderr_is_terminal = isatty(STDERR_FILENO);
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_stop_signal;
    sigemptyset(&sa.sa_mask);
    sa.sa_flags = SA_RESTART;
    sigaction(SIGINT, &sa, NULL);
    sigaction(SIGTERM, &sa, NULL);
    sigaction(SIGHUP, &sa, NULL);
    signal(SIGPIPE, SIG_IGN);
    /* A file-size limit (or a full quota) must fail the write, not kill the
     * process with a partial file left behind. */
    signal(SIGXFSZ, SIG_IGN);
}

int fu_stop_signal(void)
{
    return stop_sig;
}

void fu_stop_mark_reported(void)
{
    stop_reported = 1;
}

const char *fu_stop_reason(void)
{
    return reason_of(stop_sig);
}
