// SPDX-License-Identifier: GPL-2.0-only
/* lockboxctl's socket: which one it picks, and reading lines however they arrive. */
#include <errno.h>
#include <stdlib.h>
#include <unistd.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include "tap.h"
#include "ctl_conn.h"

static void test_socket_path_order(void)
{
	char cfg[] = "/tmp/test_ctl_conn.XXXXXX", path[256], longp[200];
	int fd = mkstemp(cfg);
	FILE *f = fdopen(fd, "w");

	fprintf(f, "{\"socket\": \"/run/custom/lb.sock\", \"database\": \"/x.db\"}");
	fclose(f);

	is_int(ctl_socket_path("/opt/a.sock", "/env/b.sock", cfg, path, sizeof(path)), 0,
	       "--socket given");
	is_str(path, "/opt/a.sock", "--socket wins over everything");
	ctl_socket_path(NULL, "/env/b.sock", cfg, path, sizeof(path));
	is_str(path, "/env/b.sock", "then $LOCKBOX_SOCKET");
	ctl_socket_path(NULL, "", cfg, path, sizeof(path));
	is_str(path, "/run/custom/lb.sock", "an empty $LOCKBOX_SOCKET is ignored: the config's");
	ctl_socket_path(NULL, NULL, cfg, path, sizeof(path));
	is_str(path, "/run/custom/lb.sock", "then the config file's \"socket\"");

	f = fopen(cfg, "w");
	fprintf(f, "{\"database\": \"/x.db\"}");
	fclose(f);
	ctl_socket_path(NULL, NULL, cfg, path, sizeof(path));
	is_str(path, CTL_DEFAULT_SOCKET, "a config without \"socket\": the default");
	f = fopen(cfg, "w");
	fprintf(f, "{\"socket\": 42}");
	fclose(f);
	ctl_socket_path(NULL, NULL, cfg, path, sizeof(path));
	is_str(path, CTL_DEFAULT_SOCKET, "a config whose socket is not a string: the default");
	f = fopen(cfg, "w");
	fprintf(f, "{ not json");
	fclose(f);
	ctl_socket_path(NULL, NULL, cfg, path, sizeof(path));
	is_str(path, CTL_DEFAULT_SOCKET, "a broken config: the default");
	unlink(cfg);
	is_int(ctl_socket_path(NULL, NULL, cfg, path, sizeof(path)), 0, "no config file");
	is_str(path, "/run/lockbox/lockbox.sock", "no config file: /run/lockbox/lockbox.sock");

	memset(longp, 'x', sizeof(longp) - 1);
	longp[0] = '/';
	longp[sizeof(longp) - 1] = '\0';
	is_int(ctl_socket_path(longp, NULL, NULL, path, sizeof(path)), -ENAMETOOLONG,
	       "a path longer than sun_path is refused");
}

static void test_connect_failure(void)
{
	is_int(ctl_connect("/nonexistent/lockbox.sock"), -ENOENT,
	       "connecting to a missing socket is -ENOENT");
}

static void test_peer_must_be_the_agents_uid(void)
{
	uid_t got = 12345;
	int sv[2];

	socketpair(AF_UNIX, SOCK_STREAM, 0, sv);
	is_int(ctl_peer_check(sv[0], getuid(), &got), 0, "a peer running as the wanted uid passes");
	is_int(got, getuid(), "and its uid is reported");
	is_int(ctl_peer_check(sv[0], getuid() + 1, &got), -EPERM,
	       "a peer running as any other uid is refused");
	is_int(got, getuid(), "naming the uid it runs as");
	close(sv[0]);
	close(sv[1]);
	is_int(ctl_peer_check(-1, 0, &got), -EBADF, "no socket: -EBADF");
}

static void test_read_lines(void)
{
	struct ctl_reader rd;
	char *line;
	size_t len;
	int sv[2];

	socketpair(AF_UNIX, SOCK_STREAM, 0, sv);
	ctl_reader_init(&rd, sv[0]);
	ok(write(sv[1], "{\"a\":1}\n{\"b\"", 12) == 12, "queue one line and a half");
	is_int(ctl_read_line(&rd, &line, &len), 0, "the first line");
	is_str(line, "{\"a\":1}", "without its newline");
	is_int(len, 7, "and its length");
	ok(write(sv[1], ":2}\n\n", 5) == 5, "the rest of the second, and an empty line");
	is_int(ctl_read_line(&rd, &line, &len), 0, "a line split across reads");
	is_str(line, "{\"b\":2}", "comes out whole");
	is_int(ctl_read_line(&rd, &line, &len), 0, "an empty line");
	is_int(len, 0, "has length 0");
	ok(write(sv[1], "partial", 7) == 7, "an unfinished line");
	close(sv[1]);
	is_int(ctl_read_line(&rd, &line, &len), -EPIPE,
	       "the agent hanging up mid-line is -EPIPE, not a line");
	ctl_reader_release(&rd);
	ctl_reader_release(&rd);
	ok(1, "releasing twice is safe");
	close(sv[0]);
}

static void test_long_line(void)
{
	struct ctl_reader rd;
	size_t big = 300000, len = 0;
	char *data = malloc(big + 1), *line;
	int sv[2];
	pid_t pid;

	/* longer than any socket buffer: the writer must be another process */
	memset(data, 'x', big);
	data[big] = '\n';
	socketpair(AF_UNIX, SOCK_STREAM, 0, sv);
	pid = fork();
	if (pid == 0) {
		close(sv[0]);
		ctl_send(sv[1], data, big + 1);
		_exit(0);
	}
	close(sv[1]);
	ctl_reader_init(&rd, sv[0]);
	is_int(ctl_read_line(&rd, &line, &len), 0, "a 300 kB reply line is read");
	is_int(len, big, "whole");
	ok(line[0] == 'x' && line[big - 1] == 'x' && !line[big], "and intact");
	ctl_reader_release(&rd);
	close(sv[0]);
	waitpid(pid, NULL, 0);
	free(data);
}

int main(void)
{
	test_socket_path_order();
	test_connect_failure();
	test_peer_must_be_the_agents_uid();
	test_read_lines();
	test_long_line();
	return done_testing();
}
