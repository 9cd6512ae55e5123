// SPDX-License-Identifier: GPL-2.0-only
/* One lockboxctl command against the agent: request out, reply in, result printed. */
#include <errno.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include "ctl_conn.h"
#include "ctl_output.h"
#include "ctl_run.h"

/*
 * The one place lockboxctl prints an error, "lockboxctl: ..." on one line; what the
 * modules below explained (errbuf.h) is printed here, once. Gives the exit status.
 */
static int report(FILE *err, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static int report(FILE *err, const char *fmt, ...)
{
	va_list ap;

	fputs("lockboxctl: ", err);
	va_start(ap, fmt);
	vfprintf(err, fmt, ap);
	va_end(ap);
	fputc('\n', err);
	return LB_EXIT_ERROR;
}

/* The next line from the agent, parsed; failures are reported and give an exit status. */
static int next_reply(struct ctl_reader *rd, struct proto_reply *rep, const char *eof_msg,
		      FILE *err)
{
	char perr[256], *line;
	size_t len;
	int ret;

	ret = ctl_read_line(rd, &line, &len);
	if (ret == -EPIPE)
		return report(err, "%s", eof_msg);
	if (ret)
		return report(err, "cannot read from lockboxd: %s", strerror(-ret));
	if (proto_parse_reply(line, len, rep, perr, sizeof(perr)))
		return report(err, "invalid reply from lockboxd: %s", perr);
	return LB_EXIT_OK;
}

static int print_error(const struct proto_reply *rep, FILE *err)
{
	char msg[sizeof(rep->message) * 4];

	ctl_escape(rep->message, msg, sizeof(msg));
	report(err, "%s", msg);
	return proto_exit_code(rep->code);
}

static const char *state_of(json_t *result)
{
	const char *s = json_string_value(json_object_get(result, "state"));

	return s ? s : "unknown";
}

static int finish_request(json_t *result, FILE *out, FILE *err)
{
	json_t *id = json_is_object(result) ? json_object_get(result, "id") : result;

	if (!json_is_integer(id))
		return report(err, "invalid reply from lockboxd: result: expected a request id");
	/* the id alone, so that id=$(lockboxctl request ...) works */
	fprintf(out, "%lld\n", (long long)json_integer_value(id));
	return LB_EXIT_OK;
}

static int finish_decision(const struct proto_req *req, json_t *result, FILE *out)
{
	json_t *appr = json_object_get(result, "approvals");
	const char *state = state_of(result);

	if (req->cmd == CMD_APPROVE && !strcmp(state, "pending") && json_is_integer(appr))
		fprintf(out, "request %lld: approval recorded (%lld so far), still pending\n",
			(long long)req->id, (long long)json_integer_value(appr));
	else if (json_is_object(result))
		fprintf(out, "request %lld: %s\n", (long long)req->id, state);
	else
		fprintf(out, "request %lld: done\n", (long long)req->id);
	return LB_EXIT_OK;
}

static int finish_wait(json_t *result, FILE *out)
{
	const char *state = state_of(result);

	fprintf(out, "%s\n", state);
	return !strcmp(state, "approved") ? LB_EXIT_OK : LB_EXIT_ERROR;
}

static int finish_verify(json_t *result, FILE *out, FILE *err)
{
	json_t *bad = json_object_get(result, "bad_seq");
	char msg[2048];

	if (!json_is_object(result))
		return report(err, "invalid reply from lockboxd: result: expected an object");
	if (json_is_true(json_object_get(result, "ok"))) {
		fprintf(out, "audit trail intact: %lld records\n",
			(long long)json_integer_value(json_object_get(result, "records")));
		return LB_EXIT_OK;
	}
	ctl_escape(json_string_value(json_object_get(result, "message")) ?: "no reason given", msg,
		   sizeof(msg));
	if (json_is_integer(bad)) {
		long long seq = json_integer_value(bad);
		char prefix[40];
		size_t n;

		/* "record 17: hash mismatch" would otherwise name the record twice */
		n = snprintf(prefix, sizeof(prefix), "record %lld: ", seq);
		fprintf(out, "audit trail BROKEN at record %lld: %s\n", seq,
			strncmp(msg, prefix, n) ? msg : msg + n);
	} else {
		fprintf(out, "audit trail BROKEN: %s\n", msg);
	}
	return LB_EXIT_ERROR;
}

static void print_record(json_t *rec, bool json, FILE *out)
{
	if (json)
		ctl_print_json(out, rec, true);
	else
		ctl_print_record(out, rec);
	fflush(out);
}

/* The records so far, then with --follow one line per new record until the agent hangs up. */
static int finish_audit(const struct ctl_cmdline *cl, struct ctl_reader *rd, json_t *result,
			FILE *out, FILE *err)
{
	struct proto_reply rep;
	json_t *rec;
	size_t i;
	int ret;

	if (!json_is_array(result))
		return report(err, "invalid reply from lockboxd: result: expected an array");
	if (cl->json && !cl->req.follow) {
		ctl_print_json(out, result, false);
		return LB_EXIT_OK;
	}
	json_array_foreach (result, i, rec)
		print_record(rec, cl->json, out);
	if (!cl->req.follow)
		return LB_EXIT_OK;
	for (;;) {
		if (ferror(out))
			return report(err, "cannot write the output");
		ret = next_reply(rd, &rep, "lockboxd closed the connection", err);
		if (ret)
			return ret;
		if (rep.is_record)
			print_record(rep.record, cl->json, out);
		else if (!rep.ok)
			ret = print_error(&rep, err); /* e.g. the agent shutting down */
		else
			ret = report(err, "invalid reply from lockboxd: expected a record line");
		proto_reply_release(&rep);
		if (ret)
			return ret;
	}
}

/* The request as one JSON line; a status to exit with if it could not be sent. */
static int send_request(int fd, const struct proto_req *req, FILE *err)
{
	json_t *msg = proto_request_json(req);
	char *line = msg ? json_dumps(msg, JSON_COMPACT) : NULL;
	int ret;

	json_decref(msg);
	if (!line)
		return report(err, "out of memory");
	ret = ctl_send(fd, line, strlen(line));
	if (!ret)
		ret = ctl_send(fd, "\n", 1);
	free(line);
	if (ret)
		return report(err, "cannot send to lockboxd: %s", strerror(-ret));
	return LB_EXIT_OK;
}

/* A successful reply's result, printed the way its command wants. */
static int finish(const struct ctl_cmdline *cl, struct ctl_reader *rd, json_t *result, FILE *out,
		  FILE *err)
{
	const struct proto_req *req = &cl->req;

	switch (req->cmd) {
	case CMD_REQUEST:
		return finish_request(result, out, err);
	case CMD_APPROVE:
	case CMD_DENY:
	case CMD_REVOKE:
	case CMD_CANCEL:
		return finish_decision(req, result, out);
	case CMD_WAIT:
		return finish_wait(result, out);
	case CMD_VERIFY:
		return finish_verify(result, out, err);
	case CMD_AUDIT:
		return finish_audit(cl, rd, result, out, err);
	case CMD_LIST:
	case CMD_SHOW:
	case CMD_STATUS:
	case CMD_MAX:
		break;
	}
	if (cl->json)
		ctl_print_json(out, result, false);
	else if (req->cmd == CMD_LIST)
		ctl_print_list(out, result);
	else if (req->cmd == CMD_SHOW)
		ctl_print_show(out, result);
	else
		ctl_print_status(out, result);
	return LB_EXIT_OK;
}

int ctl_run(const struct ctl_cmdline *cl, int fd, FILE *out, FILE *err)
{
	struct proto_reply rep = {0};
	struct ctl_reader rd;
	int ret;

	ctl_reader_init(&rd, fd);
	ret = send_request(fd, &cl->req, err);
	if (!ret)
		ret = next_reply(&rd, &rep, "lockboxd closed the connection without a reply", err);
	if (!ret && rep.is_record)
		ret = report(err, "invalid reply from lockboxd: a record before the reply");
	else if (!ret && !rep.ok)
		ret = print_error(&rep, err);
	else if (!ret)
		ret = finish(cl, &rd, rep.result, out, err);
	proto_reply_release(&rep);
	ctl_reader_release(&rd);
	return ret;
}
