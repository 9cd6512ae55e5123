// SPDX-License-Identifier: GPL-2.0-only
/*
 * lockboxd: loads the guard, serves the socket, and keeps maps, database and
 * audit trail in step. One epoll loop over the socket, the ring buffer, a
 * one-second timerfd and a signalfd; no threads.
 */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/signalfd.h>
#include <sys/timerfd.h>
#include <time.h>
#include <unistd.h>
#include <bpf/libbpf.h>
#include "agent.h"
#include "config.h"
#include "config_check.h"
#include "loader.h"
#include "log.h"
#include "peerid.h"
#include "loginuid.h"
#include "notify.h"
#include "sdnotify.h"
#include "server.h"
#include "store.h"

struct opts {
	const char *config;
	bool foreground;
	bool permissive;
	bool check_config;
	int verbose;
};

static void usage(FILE *f)
{
	fprintf(f,
		"usage: lockboxd [--config PATH] [--foreground] [--permissive] [--check-config] "
		"[-v]\n"
		"  --config PATH   config file (default %s; embedded default if absent)\n"
		"  --foreground    stay in the foreground (for systemd and containers)\n"
		"  --permissive    deny nothing, audit every would-be denial\n"
		"  --check-config  validate the config and exit\n"
		"  -v, --verbose   more log; twice for libbpf's own messages\n"
		"  -h, --help      this help\n"
		"  -V, --version   print the version\n",
		CONFIG_DEFAULT_PATH);
}

static int parse_args(int argc, char **argv, struct opts *o)
{
	static const struct option longopts[] = {
		{"config", required_argument, NULL, 'c'}, {"foreground", no_argument, NULL, 'f'},
		{"permissive", no_argument, NULL, 'p'},	  {"check-config", no_argument, NULL, 'k'},
		{"verbose", no_argument, NULL, 'v'},	  {"help", no_argument, NULL, 'h'},
		{"version", no_argument, NULL, 'V'},	  {0},
	};
	int c;

	while ((c = getopt_long(argc, argv, "c:fpkvhV", longopts, NULL)) != -1) {
		switch (c) {
		case 'c':
			o->config = optarg;
			break;
		case 'f':
			o->foreground = true;
			break;
		case 'p':
			o->permissive = true;
			break;
		case 'k':
			o->check_config = true;
			break;
		case 'v':
			o->verbose++;
			break;
		case 'h':
			usage(stdout);
			exit(0);
		case 'V':
			printf("lockboxd %s\n", LOCKBOX_VERSION);
			exit(0);
		default:
			usage(stderr);
			return -EINVAL;
		}
	}
	if (optind < argc) {
		fprintf(stderr, "lockboxd: unexpected argument '%s'\n", argv[optind]);
		usage(stderr);
		return -EINVAL;
	}
	return 0;
}

static int libbpf_log(enum libbpf_print_level level, const char *fmt, va_list args)
{
	if (level == LIBBPF_DEBUG || log_get_level() < LOG_LVL_DEBUG)
		return 0;
	return vfprintf(stderr, fmt, args);
}

/*
 * Without --foreground: fork, and let the parent exit only once the child is
 * serving (status 0) or has failed (status 1), so `lockboxd && lockboxctl …` works.
 */
static int ready_fd = -1;

static int daemonize(void)
{
	int p[2];
	pid_t pid;
	char st = 1;

	if (pipe2(p, O_CLOEXEC) < 0)
		return -errno;
	pid = fork();
	if (pid < 0)
		return -errno;
	if (pid > 0) {
		close(p[1]);
		if (read(p[0], &st, 1) != 1)
			st = 1;
		_exit(st);
	}
	close(p[0]);
	setsid();
	ready_fd = p[1];
	return 0;
}

static void signal_ready(void)
{
	char ok = 0;

	if (ready_fd >= 0) {
		if (write(ready_fd, &ok, 1) != 1)
			log_warn("cannot tell the parent we are ready");
		close(ready_fd);
		ready_fd = -1;
		/* the terminal that started us is not our log: syslog from now on */
		log_to_syslog();
		if (!freopen("/dev/null", "r", stdin) || !freopen("/dev/null", "w", stdout) ||
		    (!log_journal() && !freopen("/dev/null", "w", stderr)))
			log_warn("cannot detach from the terminal: %m");
	}
}

static int add_fd(int epfd, int fd, struct watch *w)
{
	struct epoll_event ev = {.events = EPOLLIN, .data.ptr = w};

	return epoll_ctl(epfd, EPOLL_CTL_ADD, fd, &ev) < 0 ? -errno : 0;
}

static void reload(struct agent *a, const struct opts *o)
{
	struct config *cfg = NULL;
	char err[512];

	sdn_reloading();
	if (config_load(o->config, &cfg, err, sizeof(err))) {
		log_err("reload: config: %s (keeping the running config)", err);
		sdn_reloaded("reload failed, running the previous config: config: %s", err);
		return;
	}
	if (agent_reload(a, cfg, err, sizeof(err))) {
		log_err("reload: %s (keeping the running config)", err);
		sdn_reloaded("reload failed, running the previous config: %s", err);
	} else {
		log_info("config reloaded");
		sdn_reloaded("guarding %s (config reloaded)", a_socket_path(a));
	}
}

static struct watch w_ring = {W_RINGBUF};

/* What the guard recorded when the client connected; without it the client is anyone. */
static void identify_client(int fd, struct client_info *c, void *ctx)
{
	const int *map_fd = ctx;
	struct lb_peer p;

	if (*map_fd < 0 || peer_lookup(*map_fd, fd, &p))
		return;
	c->known = true;
	c->engineer = p.flags & LB_PEER_ENGINEER;
	c->loginuid = p.loginuid;
}

/*
 * While a batch of events is held (its commit failed), the ring's fd stays
 * readable: stop watching it until the timer's tick has stored the batch,
 * rather than spin on a store that cannot take it.
 */
static void ring_watch(struct agent *a, int epfd, struct watch *w)
{
	static bool off;
	bool held = agent_events_held(a);

	if (held == off)
		return;
	if (held)
		epoll_ctl(epfd, EPOLL_CTL_DEL, agent_events_fd(a), NULL);
	else if (add_fd(epfd, agent_events_fd(a), w))
		return; /* try again on the next tick */
	off = held;
}

/* A signal from the signalfd; true when it means stop. */
static bool on_signal(struct agent *a, const struct opts *o, uint32_t sig)
{
	switch (sig) {
	case SIGHUP: /* reopen too: logrotate's postrotate may send either */
		agent_reopen(a);
		reload(a, o);
		return false;
	case SIGUSR1:
		agent_reopen(a);
		return false;
	case SIGCHLD:
		agent_child_exited(a);
		return false;
	default:
		return true;
	}
}

static int run(struct agent *a, int epfd, int sfd, int tfd, struct server *srv,
	       const struct opts *o)
{
	struct epoll_event evs[32];

	for (;;) {
		int n = epoll_wait(epfd, evs, 32, -1);

		if (n < 0 && errno != EINTR)
			return -errno;
		for (int i = 0; i < n; i++) {
			struct watch *w = evs[i].data.ptr;
			struct signalfd_siginfo si;
			uint64_t ticks;
			int err;

			switch (w->kind) {
			case W_LISTEN:
				server_accept(srv);
				break;
			case W_CLIENT:
				server_client_io(srv, (struct client *)w, evs[i].events);
				break;
			case W_RINGBUF:
				err = agent_consume_events(a);
				if (err < 0)
					log_err("events: cannot store kernel events, holding them: "
						"%s",
						strerror(-err));
				ring_watch(a, epfd, w);
				break;
			case W_TIMER:
				if (read(tfd, &ticks, sizeof(ticks)) > 0)
					agent_tick(a, time(NULL));
				ring_watch(a, epfd, &w_ring);
				break;
			case W_SIGNAL:
				if (read(sfd, &si, sizeof(si)) != sizeof(si))
					break;
				if (on_signal(a, o, si.ssi_signo))
					return (int)si.ssi_signo;
				break;
			}
		}
		server_collect(srv); /* clients closed in this batch */
	}
}

/*
 * lockboxd --confined-exec PROGRAM ARGS...: what the agent spawns for the
 * notify command. Takes the login uid LB_CONFINED_UID, which the guard treats
 * as an engineer with no grant, then runs PROGRAM; refuses to run it unconfined.
 */
static int confined_exec(char **argv)
{
	char uid[16];
	int fd = open("/proc/self/loginuid", O_WRONLY | O_CLOEXEC);
	int len = snprintf(uid, sizeof(uid), "%u", LB_CONFINED_UID);

	if (fd < 0 || write(fd, uid, len) != len) {
		fprintf(stderr, "lockboxd: cannot confine the notify command (login uid %u): %s\n",
			LB_CONFINED_UID, strerror(errno));
		return 126;
	}
	close(fd);
	execv(argv[0], argv);
	fprintf(stderr, "lockboxd: cannot run %s: %s\n", argv[0], strerror(errno));
	return 127;
}

/* What main sets up, in order; torn down in reverse by daemon_close(). */
struct daemon {
	struct config *cfg; /* until the agent takes it */
	struct store *st;
	struct guard *g;
	struct server *srv;
	struct agent *a;
	int epfd, sfd, tfd, peers;
	struct watch w_timer, w_sig;
};

/* The epoll set, a signalfd for the signals we handle, and the one-second tick. */
static int event_loop_open(struct daemon *d)
{
	struct itimerspec its = {.it_interval = {1, 0}, .it_value = {1, 0}};
	sigset_t mask;

	sigemptyset(&mask);
	sigaddset(&mask, SIGTERM);
	sigaddset(&mask, SIGINT);
	sigaddset(&mask, SIGHUP);
	sigaddset(&mask, SIGUSR1);
	sigaddset(&mask, SIGCHLD);
	sigprocmask(SIG_BLOCK, &mask, NULL);
	signal(SIGPIPE, SIG_IGN);
	d->epfd = epoll_create1(EPOLL_CLOEXEC);
	d->sfd = signalfd(-1, &mask, SFD_NONBLOCK | SFD_CLOEXEC);
	d->tfd = timerfd_create(CLOCK_MONOTONIC, TFD_NONBLOCK | TFD_CLOEXEC);
	if (d->epfd < 0 || d->sfd < 0 || d->tfd < 0 || timerfd_settime(d->tfd, 0, &its, NULL) < 0) {
		fprintf(stderr, "lockboxd: cannot set up the event loop: %s\n", strerror(errno));
		return -1;
	}
	return 0;
}

/* The agent over the store and guard, its maps reconciled with the database. */
static int agent_start(struct daemon *d, const struct opts *o, char *err, size_t errlen)
{
	int ret = agent_new(d->cfg, d->st, d->g, o->permissive, &d->a, err, errlen);

	d->cfg = NULL; /* the agent took it, even on failure */
	if (ret)
		return ret;
	if (o->config)
		agent_set_config_path(d->a, o->config);
	else if (access(CONFIG_DEFAULT_PATH, F_OK) == 0)
		agent_set_config_path(d->a, CONFIG_DEFAULT_PATH);
	sdn_status("reconciling the guard's maps with the database");
	return agent_sync(d->a, err, errlen);
}

/* The socket, with callers identified by what the guard recorded at connect(). */
static int server_start(struct daemon *d, char *err, size_t errlen)
{
	int ret;

	if (server_open(a_socket_path(d->a), d->epfd, &d->srv, err, errlen))
		return -1;
	server_set_handler(d->srv, agent_handle_line, d->a);
	d->peers = guard_peers_fd(d->g);
	ret = d->peers < 0 ? d->peers : peer_mark_listener(d->peers, server_listen_fd(d->srv));
	if (ret) {
		log_err("cannot record who connects to the socket (%s): every caller is treated "
			"as anyone",
			strerror(-ret));
		d->peers = -1;
	}
	server_set_identify(d->srv, identify_client, &d->peers);
	agent_set_server(d->a, d->srv);
	return 0;
}

/* Seconds on the monotonic clock, for the start's debug timings. */
static double mono_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

/* Everything up to serving; the error is printed. */
static int daemon_open(struct daemon *d, const struct opts *o)
{
	char err[512] = "";
	double t0;
	int ret;

	sdn_status("loading and attaching the BPF guard");
	t0 = mono_s();
	if (guard_load(&d->g, err, sizeof(err))) {
		fprintf(stderr, "lockboxd: %s\n", err);
		return -1;
	}
	log_debug("start: BPF guard ready in %.2f s", mono_s() - t0);
	notify_set_confiner("/proc/self/exe");
	ret = loginuid_lock();
	if (ret)
		log_warn("cannot make loginuid immutable (%s): a root engineer could change "
			 "theirs; enable auditing (CONFIG_AUDIT) or run auditctl "
			 "--loginuid-immutable",
			 strerror(-ret));
	if (store_open(d->cfg->database, &d->st, err, sizeof(err))) {
		fprintf(stderr, "lockboxd: store: %s\n", err);
		return -1;
	}
	if (event_loop_open(d))
		return -1;
	log_debug("start: store open at %.2f s", mono_s() - t0);
	if (agent_start(d, o, err, sizeof(err)) || server_start(d, err, sizeof(err))) {
		fprintf(stderr, "lockboxd: %s\n", err);
		return -1;
	}
	log_debug("start: maps reconciled at %.2f s", mono_s() - t0);
	if (add_fd(d->epfd, agent_events_fd(d->a), &w_ring) ||
	    add_fd(d->epfd, d->tfd, &d->w_timer) || add_fd(d->epfd, d->sfd, &d->w_sig)) {
		fprintf(stderr, "lockboxd: epoll: %s\n", strerror(errno));
		return -1;
	}
	return 0;
}

static void daemon_close(struct daemon *d)
{
	server_close(d->srv);
	agent_free(d->a);
	config_free(d->cfg);
	store_close(d->st);
	guard_close(d->g);
	if (d->tfd >= 0)
		close(d->tfd);
	if (d->sfd >= 0)
		close(d->sfd);
	if (d->epfd >= 0)
		close(d->epfd);
}

/* Serves until a stopping signal; 0 on a clean stop. */
static int serve(struct daemon *d, const struct opts *o)
{
	int sig;

	agent_started(d->a);
	signal_ready();
	log_info("ready: guarding %s; BPF guard: %s", a_socket_path(d->a),
		 guard_kept_running(d->g) ? "this build's programs were running, kept them"
					  : "programs loaded and attached");
	sdn_ready("guarding %s", a_socket_path(d->a));
	sig = run(d->a, d->epfd, d->sfd, d->tfd, d->srv, o);
	if (sig < 0) {
		log_err("event loop: %s", strerror(-sig));
		return 1;
	}
	sdn_stopping("stopping on %s; the guard stays in the kernel", strsignal(sig));
	agent_consume_events(d->a);
	agent_stopping(d->a, strsignal(sig));
	log_info("stopping on %s; the guard stays in the kernel", strsignal(sig));
	return 0;
}

/* --check-config, part one: every error in the file, each named by its key path. */
static struct config *check_parse(const char *path)
{
	struct config *cfg = NULL;
	char *report = NULL, err[512] = "";
	size_t len = 0;
	FILE *f = open_memstream(&report, &len);
	int n = 0;

	if (!f)
		return NULL;
	config_load_report(path, &cfg, f, err, sizeof(err));
	fclose(f);
	for (char *line = strtok(report, "\n"); !cfg && line; line = strtok(NULL, "\n"), n++)
		fprintf(stderr, "lockboxd: config: %s: %s\n", path ? path : CONFIG_DEFAULT_PATH,
			line);
	if (!cfg && !n) /* not a parse error: the file could not be read */
		fprintf(stderr, "lockboxd: config: %s\n", err);
	else if (!cfg)
		fprintf(stderr, "lockboxd: config: %d error%s (above)\n", n, n == 1 ? "" : "s");
	free(report);
	return cfg;
}

/* --check-config: the config parsed; then what start would fail on, every problem. */
static int check_config(const char *path)
{
	struct config *cfg = check_parse(path);
	int bad;

	if (!cfg)
		return 1;
	bad = config_check(cfg, stderr);
	if (bad)
		fprintf(stderr, "lockboxd: config: %d problem%s (above)\n", bad,
			bad == 1 ? "" : "s");
	else
		printf("config OK: %zu zone%s, request_ttl %llds, max_duration %llds\n",
		       cfg->n_zones, cfg->n_zones == 1 ? "" : "s", (long long)cfg->request_ttl,
		       (long long)cfg->max_duration);
	config_free(cfg);
	return bad ? 1 : 0;
}

int main(int argc, char **argv)
{
	struct daemon d = {.epfd = -1, .sfd = -1, .tfd = -1, .peers = -1};
	struct opts o = {0};
	char err[512] = "";
	int ret = 1;

	d.w_timer.kind = W_TIMER;
	d.w_sig.kind = W_SIGNAL;
	if (argc >= 3 && !strcmp(argv[1], NOTIFY_CONFINED_EXEC))
		return confined_exec(argv + 2);
	if (parse_args(argc, argv, &o))
		return 2;
	log_open(stderr);
	log_set_level(o.verbose ? LOG_LVL_DEBUG : LOG_LVL_INFO);
	libbpf_set_print(o.verbose > 1 ? libbpf_log : NULL);
	if (o.check_config)
		return check_config(o.config);
	if (config_load(o.config, &d.cfg, err, sizeof(err))) {
		fprintf(stderr, "lockboxd: config: %s\n", err);
		return 1;
	}
	if (!o.foreground && daemonize()) {
		fprintf(stderr, "lockboxd: cannot fork: %s\n", strerror(errno));
		return 1;
	}
	if (!daemon_open(&d, &o))
		ret = serve(&d, &o);
	daemon_close(&d);
	return ret;
}
