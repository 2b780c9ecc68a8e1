/*
 * api.h — the API's route handlers, shared by api.c (routing), api_media.c
 * and api_jobs.c. Internal to src/server.
 */
#ifndef FU_API_H
#define FU_API_H

#include "server/server_internal.h"

enum MHD_Result fu_api_method_not_allowed(struct MHD_Connection *c, const char *allow);
/* The Content-Type for a media file by its extension. */
const char *fu_api_mime_of(const char *path);

/* POST /api/files, GET /api/files/ID, GET /api/files/ID/frame */
enum MHD_Result fu_api_files(fu_server *s, struct MHD_Connection *c, const char *method, const char *id,
                             const char *action);
enum MHD_Result fu_api_preview(fu_server *s, struct MHD_Connection *c, const char *method, fu_request *req);
enum MHD_Result fu_api_faces(fu_server *s, struct MHD_Connection *c, const char *method);
enum MHD_Result fu_api_thumb(fu_server *s, struct MHD_Connection *c, const char *method, const char *id);
enum MHD_Result fu_api_jobs(fu_server *s, struct MHD_Connection *c, const char *method, const char *id,
                            const char *action, fu_request *req);

/* PUT /api/jobs/ID (job-create) and /api/jobs/ID/steps[/N[/remix]]
 * (api_steps.c); /api/log (api_log.c); /api/runner[/stop] (api_runner.c). */
enum MHD_Result fu_api_job_draft(fu_server *s, struct MHD_Connection *c, const char *raw_id);
enum MHD_Result fu_api_steps(fu_server *s, struct MHD_Connection *c, const char *method, const char *id,
                             const char *index, const char *action, fu_request *req);
enum MHD_Result fu_api_log(fu_server *s, struct MHD_Connection *c, const char *method, fu_request *req);
enum MHD_Result fu_api_runner(fu_server *s, struct MHD_Connection *c, const char *method, const char *action,
                              fu_request *req);

/* A step of job id from a request body as POST /api/jobs takes it
 * (sources, target, output name, options): validated, complete, writing a
 * new file of the workspace's outputs; *step_json malloc'd, label the
 * output's name. 0, or -1 with the HTTP status and the reason. */
int fu_api_step_from_body(fu_server *s, json_t *body, const char *id, char **step_json, char *label,
                          size_t label_size, unsigned *status, char *why, size_t why_size);

/* A request body's sources, target and options as step options:
 * {"--source-paths": [...], "--target-path": [...], option: [words]...}.
 * *target_kind receives "image" or "video". On a bad request returns NULL
 * with the HTTP status and the reason. */
json_t *fu_api_request_args(fu_server *s, json_t *body, const char **target_kind, unsigned *status, char *why,
                            size_t why_size);
/* A request's "options" object into args ({option: [words]}): the option
 * must be one the service lists (path options never are); values are a
 * string, a number, true/false (flags, stored as the word "true"/"false")
 * or a list of those. 0, or -1 with
 * the reason. */
int fu_api_options_to_args(fu_server *s, json_t *options, json_t *args, char *why, size_t why_size);
/* Runs the service's validate on args (serialised); *step_json (may be
 * NULL) receives the complete step to store (malloc'd). */
facefuse_status fu_api_validate(fu_server *s, json_t *args, char **step_json, fu_err *err);

#endif
