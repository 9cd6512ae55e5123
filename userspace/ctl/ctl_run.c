// SPDX-License-Identifier: GPL-2.0-only
/* One lockboxctl command against the agent: request out, reply in, result printed. */
#include <errno.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "ctl_conn.h"
#include "ctl_output.h"
#include "ctl_run.h"

/*
 * The one place lockboxctl prints an error, "lockboxctl: ..." on one line; what the
 * modules below explained (errbuf.h) is printed here, once. Gives the exit status.
 */
static int report(FILE *err, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* With --json, errors are also one JSON object on stdout: {"error":{"code","message"}}. */
static FILE *json_errors;

static void json_error(const char *code, const char *msg)
{
	json_t *e;

	if (!json_errors)
		return;
	e = json_pack("{s{ssss}}", "error", "code", code, "message", msg);
	if (e)
		ctl_print_json(json_errors, e, true);
	json_decref(e);
}

int ctl_fail(const struct ctl_cmdline *cl, FILE *out, FILE *err, int status, const char *code,
	     const char *fmt, ...)
{
	char msg[1024];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	fprintf(err, "lockboxctl: %s\n", msg);
	json_errors = cl->json ? out : NULL;
	json_error(code, msg);
	return status;
}

static int report(FILE *err, const char *fmt, ...)
{
	char msg[1024];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	fprintf(err, "lockboxctl: %s\n", msg);
	json_error("error", msg);
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
	fprintf(err, "lockboxctl: %s\n", msg);
	json_error(rep->code, rep->message);
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
	json_t *rid = json_object_get(result, "id");
	const char *state = state_of(result);
	/* revoke --signed names the grant by its statement: the agent says which request */
	long long id = json_is_integer(rid) ? json_integer_value(rid) : req->id;

	if (req->cmd == CMD_APPROVE && !strcmp(state, "pending") && json_is_integer(appr))
		fprintf(out, "request %lld: approval recorded (%lld so far), still pending\n", id,
			(long long)json_integer_value(appr));
	else if (req->cmd == CMD_REVOKE && req->statement_len && !id)
		fprintf(out, "statement revoked: no grant here; later redeems are refused\n");
	else if (json_is_object(result))
		fprintf(out, "request %lld: %s\n", id, state);
	else
		fprintf(out, "request %lld: done\n", id);
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
		json_t *sigs = json_object_get(result, "signatures");

		fprintf(out, "audit trail intact: %lld records",
			(long long)json_integer_value(json_object_get(result, "records")));
		if (json_is_integer(sigs))
			fprintf(out, "; %lld signatures verified",
				(long long)json_integer_value(sigs));
		fputc('\n', out);
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

/* The statement's bytes exactly as the agent made them: what approvers sign. */
static int finish_statement(json_t *result, FILE *out, FILE *err)
{
	json_t *t = json_object_get(result, "statement");

	if (!json_is_string(t) || !json_string_length(t)) {
		fprintf(err, "lockboxctl: statement: the agent's reply has no statement\n");
		return LB_EXIT_ERROR;
	}
	fwrite(json_string_value(t), 1, json_string_length(t), out);
	return LB_EXIT_OK;
}

/* A successful reply's result, printed the way its command wants. */
static int finish(const struct ctl_cmdline *cl, struct ctl_reader *rd, json_t *result, FILE *out,
		  FILE *err)
{
	const struct proto_req *req = &cl->req;

	if (cl->json && req->cmd != CMD_AUDIT) {
		if (!cl->wait) /* request --wait --json: the one document is the decision */
			ctl_print_json(out, result, false);
		if (req->cmd == CMD_WAIT)
			return !strcmp(state_of(result), "approved") ? LB_EXIT_OK : LB_EXIT_ERROR;
		if (req->cmd == CMD_VERIFY)
			return json_is_true(json_object_get(result, "ok")) ? LB_EXIT_OK
									   : LB_EXIT_ERROR;
		return LB_EXIT_OK;
	}
	switch (req->cmd) {
	case CMD_REQUEST:
	case CMD_REDEEM:
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
	case CMD_STATEMENT:
		return finish_statement(result, out, err);
	case CMD_LIST:
	case CMD_SHOW:
	case CMD_STATUS:
	case CMD_MAX:
		break;
	}
	if (req->cmd == CMD_LIST)
		ctl_print_list(out, result);
	else if (req->cmd == CMD_SHOW)
		ctl_print_show(out, result);
	else
		ctl_print_status(out, result);
	return LB_EXIT_OK;
}

/* One request on the connection and its reply, printed; the reply's result in *result. */
static int exchange(const struct ctl_cmdline *cl, struct ctl_reader *rd, int fd,
		    struct proto_reply *rep, FILE *out, FILE *err)
{
	int ret = send_request(fd, &cl->req, err);

	if (!ret)
		ret = next_reply(rd, rep, "lockboxd closed the connection without a reply", err);
	if (!ret && rep->is_record)
		ret = report(err, "invalid reply from lockboxd: a record before the reply");
	else if (!ret && !rep->ok)
		ret = print_error(rep, err);
	else if (!ret)
		ret = finish(cl, rd, rep->result, out, err);
	return ret;
}

/* request --wait: the id is printed; now `wait ID` on the same connection. */
static int then_wait(const struct ctl_cmdline *cl, struct ctl_reader *rd, int fd, json_t *result,
		     FILE *out, FILE *err)
{
	struct ctl_cmdline w = {.json = cl->json};
	json_t *id = json_is_object(result) ? json_object_get(result, "id") : result;
	bool progress = !cl->json && isatty(fileno(err));
	struct proto_reply rep = {0};
	int ret;

	w.req.cmd = CMD_WAIT;
	w.req.id = json_integer_value(id);
	w.req.timeout = cl->req.timeout;
	if (progress) /* one line, erased once decided */
		fprintf(err,
			"request %lld: waiting for the approvers (Ctrl-C stops waiting; the "
			"request stays)...",
			(long long)w.req.id);
	fflush(err);
	ret = exchange(&w, rd, fd, &rep, out, err);
	if (progress)
		fputs("\r\033[K", err);
	proto_reply_release(&rep);
	return ret;
}

int ctl_run(const struct ctl_cmdline *cl, int fd, FILE *out, FILE *err)
{
	struct proto_reply rep = {0};
	struct ctl_reader rd;
	int ret;

	json_errors = cl->json ? out : NULL;
	ctl_reader_init(&rd, fd);
	ret = exchange(cl, &rd, fd, &rep, out, err);
	if (!ret && cl->wait && cl->req.cmd == CMD_REQUEST)
		ret = then_wait(cl, &rd, fd, rep.result, out, err);
	proto_reply_release(&rep);
	ctl_reader_release(&rd);
	return ret;
}
