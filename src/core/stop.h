/*
 * stop.h — how the program stops on a signal.
 *
 * SIGINT (Ctrl-C), SIGTERM and SIGHUP (the terminal was closed) all ask the
 * run to stop: the first sets the flag the video engine, the model sessions
 * and downloads poll (they stop within a second, remove their partial files
 * and the run exits 4 with one line saying why). A second such signal stops
 * at once: it says so on stderr, removes every partial file and exits 4.
 * SIGPIPE is ignored, so a closed pipe on stdout (`--progress json | head`)
 * is a write error the writer handles, not a silent death.
 */
#ifndef FU_STOP_H
#define FU_STOP_H

/* Installs the handlers; *flag becomes 1 on the first signal. */
void fu_stop_install(volatile int *flag);
/* The signal that asked to stop, 0 when none. */
int fu_stop_signal(void);
/* The caller has written its one line about the stop: a later signal then
 * exits without a second line. */
void fu_stop_mark_reported(void);
/* "Ctrl-C (SIGINT)", "SIGTERM", "SIGHUP (terminal closed)", or "a stop request". */
const char *fu_stop_reason(void);

#endif
