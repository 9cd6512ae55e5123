// SPDX-License-Identifier: GPL-2.0-only
/*
 * capexec CAPS CMD [ARGS...]: runs CMD as root with only CAPS (comma-separated
 * names without the CAP_ prefix, e.g. bpf,perfmon) in the bounding set and the
 * permitted and effective sets, and with no_new_privs: what systemd does for
 * CapabilityBoundingSet= and NoNewPrivileges=yes. The guest has no systemd;
 * this is how a suite checks that the unit's capability set lets lockboxd work.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <unistd.h>
#include <linux/capability.h>

static const char *const names[] = {
	[CAP_CHOWN] = "chown",
	[CAP_DAC_OVERRIDE] = "dac_override",
	[CAP_DAC_READ_SEARCH] = "dac_read_search",
	[CAP_FOWNER] = "fowner",
	[CAP_FSETID] = "fsetid",
	[CAP_KILL] = "kill",
	[CAP_SETGID] = "setgid",
	[CAP_SETUID] = "setuid",
	[CAP_SETPCAP] = "setpcap",
	[CAP_NET_ADMIN] = "net_admin",
	[CAP_IPC_LOCK] = "ipc_lock",
	[CAP_SYS_PTRACE] = "sys_ptrace",
	[CAP_SYS_ADMIN] = "sys_admin",
	[CAP_SYS_RESOURCE] = "sys_resource",
	[CAP_AUDIT_CONTROL] = "audit_control",
	[CAP_MAC_ADMIN] = "mac_admin",
	[CAP_PERFMON] = "perfmon",
	[CAP_BPF] = "bpf",
};

static int cap_by_name(const char *s)
{
	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		if (names[i] && !strcasecmp(names[i], s))
			return (int)i;
	return -1;
}

int main(int argc, char **argv)
{
	struct __user_cap_header_struct hdr = {.version = _LINUX_CAPABILITY_VERSION_3};
	struct __user_cap_data_struct data[2] = {0};
	unsigned long long keep = 0;
	char *list, *tok, *save = NULL;

	if (argc < 3) {
		fprintf(stderr, "usage: capexec CAPS CMD [ARGS...]\n");
		return 2;
	}
	list = strdup(argv[1]);
	for (tok = strtok_r(list, ",", &save); tok; tok = strtok_r(NULL, ",", &save)) {
		int c = cap_by_name(tok);

		if (c < 0) {
			fprintf(stderr, "capexec: unknown capability %s\n", tok);
			return 2;
		}
		keep |= 1ULL << c;
	}
	for (int c = 0; c <= CAP_LAST_CAP; c++)
		if (!(keep & (1ULL << c)) && prctl(PR_CAPBSET_DROP, c, 0, 0, 0) < 0) {
			perror("capexec: PR_CAPBSET_DROP");
			return 1;
		}
	data[0].permitted = data[0].effective = (__u32)keep;
	data[1].permitted = data[1].effective = (__u32)(keep >> 32);
	if (syscall(SYS_capset, &hdr, data) < 0 || prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0) {
		perror("capexec");
		return 1;
	}
	execvp(argv[2], argv + 2);
	perror("capexec: exec");
	return 127;
}
