# SPDX-License-Identifier: GPL-2.0-only
# lockbox: everything built goes to build/ (OUTPUT). `make V=1` shows commands.
OUTPUT ?= build
CLANG ?= clang
BPFTOOL ?= bpftool
CC ?= cc
LLVM_STRIP ?= llvm-strip
PREFIX ?= /usr/local
DESTDIR ?=
SYSCONFDIR ?= /etc
UNITDIR ?= $(PREFIX)/lib/systemd/system
MANDIR ?= $(PREFIX)/share/man
BASHCOMPDIR ?= $(PREFIX)/share/bash-completion/completions
DOCDIR ?= $(PREFIX)/share/doc/lockbox
VMLINUX_BTF ?= /sys/kernel/btf/vmlinux
VMLINUX_H ?=
ARCH := $(shell uname -m | sed 's/x86_64/x86/;s/aarch64/arm64/')

ifeq ($(V),1)
Q =
msg =
else
Q = @
msg = @printf '  %-8s %s\n' "$(1)" "$(2)";
endif

VERSION := 0.1.0
CFLAGS ?= -O2 -g
CFLAGS += -DLOCKBOX_VERSION='"$(VERSION)"'
CFLAGS += -std=gnu11 -Wall -Wextra -Werror -Wno-unused-parameter -D_GNU_SOURCE \
	  -Iinclude -Iuserspace -I$(OUTPUT) -MMD -MP
LIBS := -lbpf -lelf -lz -lsqlite3 -ljansson -lcrypto -lsystemd
SAN_FLAGS := -fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=all

# clang's own system include dirs for the BPF target (the bcc recipe)
CLANG_BPF_SYS_INCLUDES := $(shell $(CLANG) -v -E - </dev/null 2>&1 \
	| sed -n '/<...> search starts here:/,/End of search list./{ s| \(/.*\)|-idirafter \1|p }')
BPF_CFLAGS := -g -O2 -target bpf -D__TARGET_ARCH_$(ARCH) -Wall -Werror \
	-Iinclude -I$(OUTPUT) $(CLANG_BPF_SYS_INCLUDES) -MMD -MP

BPF_SRCS := $(wildcard bpf/*.bpf.c)
BPF_OBJS := $(patsubst bpf/%.bpf.c,$(OUTPUT)/%.bpf.o,$(BPF_SRCS))
SKELS := $(patsubst bpf/%.bpf.c,$(OUTPUT)/%.skel.h,$(BPF_SRCS))

MAINS := userspace/lockboxd.c userspace/lockboxctl.c
LIB_SRCS := $(filter-out $(MAINS),$(wildcard userspace/*.c))
LIB_OBJS := $(patsubst userspace/%.c,$(OUTPUT)/obj/%.o,$(LIB_SRCS))
LIB := $(OUTPUT)/liblockbox.a

UNIT_SRCS := $(wildcard tests/unit/test_*.c)
UNIT_BINS := $(patsubst tests/unit/%.c,$(OUTPUT)/tests/unit/%,$(UNIT_SRCS))
UNIT_SAN_BINS := $(patsubst tests/unit/%.c,$(OUTPUT)/san/tests/unit/%,$(UNIT_SRCS))
SAN_LIB_OBJS := $(patsubst userspace/%.c,$(OUTPUT)/san/obj/%.o,$(LIB_SRCS))
VM_SRCS := $(wildcard tests/vm/*.c)
VM_BINS := $(patsubst tests/vm/%.c,$(OUTPUT)/tests/vm/%,$(VM_SRCS))

.DELETE_ON_ERROR:
.PHONY: all check unit unit-san vm-check bench demo install deb sysvm-check clean format deps fuzz fuzz-build

MAIN_BINS := $(patsubst userspace/%.c,$(OUTPUT)/%,$(wildcard $(MAINS)))
all: $(MAIN_BINS) $(VM_BINS) $(BPF_OBJS)

# the BPF object is an input of the skeleton, not a throw-away intermediate
.SECONDARY: $(BPF_OBJS)

$(OUTPUT) $(OUTPUT)/obj $(OUTPUT)/san/obj $(OUTPUT)/tests/unit $(OUTPUT)/san/tests/unit $(OUTPUT)/tests/vm:
	$(Q)mkdir -p $@

$(OUTPUT)/vmlinux.h: | $(OUTPUT)
ifneq ($(VMLINUX_H),)
	$(call msg,CP,$@)
	$(Q)cp $(VMLINUX_H) $@
else
	$(call msg,GEN,$@)
	$(Q)$(BPFTOOL) btf dump file $(VMLINUX_BTF) format c > $@
endif

$(OUTPUT)/%.bpf.o: bpf/%.bpf.c $(OUTPUT)/vmlinux.h | $(OUTPUT)
	$(call msg,BPF,$@)
	$(Q)$(CLANG) $(BPF_CFLAGS) -c $< -o $@
	$(Q)$(LLVM_STRIP) -g $@

$(OUTPUT)/%.skel.h: $(OUTPUT)/%.bpf.o
	$(call msg,GEN-SKEL,$@)
	$(Q)$(BPFTOOL) gen skeleton $< > $@

$(OUTPUT)/obj/%.o: userspace/%.c $(SKELS) | $(OUTPUT)/obj
	$(call msg,CC,$@)
	$(Q)$(CC) $(CPPFLAGS) $(CFLAGS) -c $< -o $@

$(OUTPUT)/san/obj/%.o: userspace/%.c $(SKELS) | $(OUTPUT)/san/obj
	$(call msg,CC-SAN,$@)
	$(Q)$(CC) $(CFLAGS) $(SAN_FLAGS) -c $< -o $@

$(LIB): $(LIB_OBJS)
	$(call msg,AR,$@)
	$(Q)rm -f $@ && ar rcs $@ $^

$(OUTPUT)/san/liblockbox.a: $(SAN_LIB_OBJS)
	$(call msg,AR,$@)
	$(Q)rm -f $@ && ar rcs $@ $^

$(OUTPUT)/lockboxd $(OUTPUT)/lockboxctl: $(OUTPUT)/%: userspace/%.c $(LIB) $(SKELS)
	$(call msg,LD,$@)
	$(Q)$(CC) $(CPPFLAGS) $(CFLAGS) $(LDFLAGS) $< $(LIB) $(LIBS) -o $@

$(OUTPUT)/tests/unit/%: tests/unit/%.c tests/unit/tap.h $(LIB) | $(OUTPUT)/tests/unit
	$(call msg,CC,$@)
	$(Q)$(CC) $(CFLAGS) -Itests/unit $< $(LIB) $(LIBS) -o $@

$(OUTPUT)/san/tests/unit/%: tests/unit/%.c tests/unit/tap.h $(OUTPUT)/san/liblockbox.a | $(OUTPUT)/san/tests/unit
	$(call msg,CC-SAN,$@)
	$(Q)$(CC) $(CFLAGS) $(SAN_FLAGS) -Itests/unit $< $(OUTPUT)/san/liblockbox.a $(LIBS) -o $@

# Guest test helpers: dynamic like the agent; the guest runner copies their libraries.
$(OUTPUT)/tests/vm/%: tests/vm/%.c $(LIB) | $(OUTPUT)/tests/vm
	$(call msg,CC,$@)
	$(Q)$(CC) $(CFLAGS) $< $(LIB) $(LIBS) -o $@

deps:
	$(Q)scripts/deps.sh

unit: $(UNIT_BINS)
	$(Q)scripts/run-tests unit $(UNIT_BINS)

unit-san: $(UNIT_SAN_BINS)
	$(Q)scripts/run-tests unit-san $(UNIT_SAN_BINS)

vm-check: all
	$(Q)scripts/run-tests vm tests/vm/test_*.sh

# set-up (packages, guest kernels) is scripts/deps.sh's job: check touches no package
check:
	$(Q)$(MAKE) --no-print-directory all $(UNIT_BINS) $(UNIT_SAN_BINS)
	$(Q)scripts/run-tests all

bench: all
	$(Q)scripts/bench

demo: all
	$(Q)scripts/lockbox-vm run scripts/demo.sh

# The same files as the Debian package (debian/rules runs this with PREFIX=/usr).
install: $(MAIN_BINS)
	install -d $(DESTDIR)$(PREFIX)/sbin $(DESTDIR)$(PREFIX)/bin $(DESTDIR)$(UNITDIR) \
		$(DESTDIR)$(MANDIR)/man1 $(DESTDIR)$(MANDIR)/man5 $(DESTDIR)$(MANDIR)/man8 \
		$(DESTDIR)$(BASHCOMPDIR) $(DESTDIR)$(DOCDIR)/examples $(DESTDIR)$(SYSCONFDIR)/logrotate.d
	install -m 0755 $(OUTPUT)/lockboxd $(DESTDIR)$(PREFIX)/sbin/lockboxd
	install -m 0755 $(OUTPUT)/lockboxctl $(DESTDIR)$(PREFIX)/bin/lockboxctl
	sed 's|/usr/sbin/lockboxd|$(PREFIX)/sbin/lockboxd|' systemd/lockboxd.service \
		>$(DESTDIR)$(UNITDIR)/lockboxd.service
	chmod 0644 $(DESTDIR)$(UNITDIR)/lockboxd.service
	install -m 0644 man/lockboxctl.1 $(DESTDIR)$(MANDIR)/man1/lockboxctl.1
	install -m 0644 man/lockbox.json.5 $(DESTDIR)$(MANDIR)/man5/lockbox.json.5
	install -m 0644 man/lockboxd.8 $(DESTDIR)$(MANDIR)/man8/lockboxd.8
	install -m 0644 completion/lockboxctl $(DESTDIR)$(BASHCOMPDIR)/lockboxctl
	install -m 0644 examples/lockbox.json $(DESTDIR)$(DOCDIR)/examples/lockbox.json
	install -m 0644 logrotate/lockbox $(DESTDIR)$(SYSCONFDIR)/logrotate.d/lockbox

# The package in a Debian guest with systemd as PID 1 (scripts/systemd-vm; needs mmdebstrap once).
sysvm-check: deb all
	$(Q)scripts/systemd-vm

# The Debian package, built from a copy of the tree (tracked and new files) under
# $(OUTPUT)/deb, so dpkg-buildpackage writes nothing beside the tree; the .deb
# is copied to $(OUTPUT)/.
deb:
	$(Q)rm -rf $(OUTPUT)/deb && mkdir -p $(OUTPUT)/deb/lockbox
	$(Q)git ls-files -co --exclude-standard -z | xargs -0 cp -P --parents -t $(OUTPUT)/deb/lockbox
	$(Q)cd $(OUTPUT)/deb/lockbox && dpkg-buildpackage -b -us -uc >../build.log 2>&1 || \
		{ tail -40 ../build.log; exit 1; }
	$(Q)cp $(OUTPUT)/deb/*.deb $(OUTPUT)/
	$(call msg,DEB,$$(ls $(OUTPUT)/deb/*.deb))

format:
	$(Q)clang-format -i $$(git ls-files '*.c' '*.h')

clean:
	$(Q)rm -rf $(filter-out $(OUTPUT)/cache,$(wildcard $(OUTPUT)/*))

-include $(wildcard $(OUTPUT)/*.d $(OUTPUT)/obj/*.d $(OUTPUT)/san/obj/*.d $(OUTPUT)/tests/*/*.d $(OUTPUT)/san/tests/*/*.d)

# libFuzzer targets: the library sources rebuilt with clang's fuzzer instrumentation.
FUZZ_SRCS := $(wildcard tests/fuzz/fuzz_*.c)
FUZZ_BINS := $(patsubst tests/fuzz/%.c,$(OUTPUT)/fuzz/%,$(FUZZ_SRCS))
FUZZ_TIME ?= 20

$(OUTPUT)/fuzz/%: tests/fuzz/%.c $(LIB_SRCS) $(SKELS)
	$(call msg,FUZZ,$@)
	$(Q)mkdir -p $(@D)
	$(Q)$(CLANG) -g -O1 -fsanitize=fuzzer,address,undefined -std=gnu11 -D_GNU_SOURCE \
		-DLOCKBOX_VERSION='"$(VERSION)"' \
		-Iinclude -Iuserspace -I$(OUTPUT) $< $(LIB_SRCS) $(LIBS) -o $@

fuzz-build: $(FUZZ_BINS)

fuzz: $(FUZZ_BINS)
	$(Q)scripts/run-tests fuzz $(FUZZ_BINS)
