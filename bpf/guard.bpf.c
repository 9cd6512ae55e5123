// SPDX-License-Identifier: GPL-2.0-only
/* lockbox guard: BPF LSM hooks that keep engineers out of customer zones. */
#include "guard.bpf.h"

char LICENSE[] SEC("license") = "GPL";

static __always_inline __u32 file_intent(struct file *file)
{
	__u32 intent = 0;

	if (file->f_mode & FMODE_READ)
		intent |= LB_ACCESS_READ;
	if (file->f_mode & FMODE_WRITE)
		intent |= LB_ACCESS_WRITE;
	return intent;
}

SEC("lsm/file_open")
int BPF_PROG(lb_file_open, struct file *file, int ret)
{
	struct access a = {.op = LB_OP_OPEN, .file = file};

	if (ret)
		return ret;
	if (!subject_get(&a.subj))
		return 0;
	a.zone = zone_of(file->f_path.dentry, &a.root);
	if (a.zone == ZONE_NONE)
		return 0;
	a.intent = file_intent(file);
	return decide(&a);
}
