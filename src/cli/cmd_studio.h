/*
 * cmd_studio.h — the commands for long renders and provenance:
 * segment-plan, segment-run, concat and provenance-check. They take few
 * options of their own and parse them here (see cmd_studio.c).
 */
#ifndef FU_CMD_STUDIO_H
#define FU_CMD_STUDIO_H

#include <stdio.h>

/* 1 if name is one of these commands. */
int fu_cli_studio_is_command(const char *name);
/* Runs the command argv[1]; returns the exit code (0 ok, 1 failure or
 * "not found" for provenance-check, 2 invalid input). */
int fu_cli_studio_main(int argc, char **argv);
/* Usage lines for `facefuse --help`. */
void fu_cli_studio_usage(FILE *out);

#endif
