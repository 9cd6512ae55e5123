// SPDX-License-Identifier: GPL-2.0-only
/* sd_notify for lockboxd: one message per state change, no-op without systemd. */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>
#include <unistd.h>
#include <systemd/sd-daemon.h>
#include "sdnotify.h"

#define SDN_STATUS_MAX 256

bool sdn_enabled(void)
{
	const char *s = getenv("NOTIFY_SOCKET");

	return s && *s;
}

/* sd_notify returns > 0 when sent, 0 without a socket, -errno on failure. */
static int send_state(const char *head, const char *fmt, va_list ap)
{
	char status[SDN_STATUS_MAX], msg[SDN_STATUS_MAX + 128];
	int ret;

	if (!sdn_enabled())
		return 0;
	vsnprintf(status, sizeof(status), fmt, ap);
	/* STATUS is one line: a newline would start a new assignment */
	for (char *p = status; *p; p++)
		if (*p == '\n')
			*p = ' ';
	snprintf(msg, sizeof(msg), "%s%sSTATUS=%s", head, *head ? "\n" : "", status);
	ret = sd_notify(0, msg);
	return ret < 0 ? ret : 0;
}

int sdn_status(const char *fmt, ...)
{
	va_list ap;
	int ret;

	va_start(ap, fmt);
	ret = send_state("", fmt, ap);
	va_end(ap);
	return ret;
}

int sdn_ready(const char *fmt, ...)
{
	char head[64];
	va_list ap;
	int ret;

	snprintf(head, sizeof(head), "READY=1\nMAINPID=%ld", (long)getpid());
	va_start(ap, fmt);
	ret = send_state(head, fmt, ap);
	va_end(ap);
	return ret;
}

int sdn_reloading(void)
{
	struct timespec ts;
	int ret;

	if (!sdn_enabled())
		return 0;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	ret = sd_notifyf(0, "RELOADING=1\nMONOTONIC_USEC=%llu\nSTATUS=reloading the config",
			 (unsigned long long)ts.tv_sec * 1000000ULL +
				 (unsigned long long)ts.tv_nsec / 1000);
	return ret < 0 ? ret : 0;
}

int sdn_reloaded(const char *fmt, ...)
{
	va_list ap;
	int ret;

	va_start(ap, fmt);
	ret = send_state("READY=1", fmt, ap);
	va_end(ap);
	return ret;
}

int sdn_stopping(const char *fmt, ...)
{
	va_list ap;
	int ret;

	va_start(ap, fmt);
	ret = send_state("STOPPING=1", fmt, ap);
	va_end(ap);
	return ret;
}
