# SPDX-License-Identifier: GPL-2.0-only
# lockbox-vm: --no-agent --add tests/vm/bypass_lib.sh
# The bypass suite, changes to a zone without opening its data: each is denied
# to an engineer without a grant and to one with a read grant, and allowed
# under a write grant. The engineer is root with eng1's loginuid (sudo1), so
# file permissions never refuse anything and only the guard can.
. /opt/extra/lib.sh
. /opt/extra/bypass_lib.sh

guardctl load >/dev/null || { echo "not ok 1 - guard loads"; exit 1; }
guardctl engineer add $ENG1
guardctl zone add $ACME 1
guardctl zone add $GLOBEX 2
grant() { guardctl grant add $ENG1 1 "$1" 3600 21; }
ungrant() { guardctl grant del $ENG1 1; }

# fixtures, made by root
for f in chmod chown trunc otrunc ftrunc unlink xattr acl ren-out ren-within ren-x link-out; do
	echo "$f" >$ACME/$f.txt
done
mkdir $ACME/rmdir.d
echo in >/srv/public/ren-in.txt
echo in >/srv/public/link-in.txt
mkdir -m 1777 /srv/public/drop
door setxattr $ACME/xattr.txt user.k v >/dev/null

# change NAME DOOR-ARGS...: denied without a grant and with a read grant, then
# allowed under a write grant (the grant is removed again afterwards)
change() {
	local name=$1
	shift
	t_is "$(sudo1 "$@")" EACCES "$name: denied without a grant"
	grant r
	t_is "$(sudo1 "$@")" EACCES "$name: denied under a read grant"
	grant rw
	t_is "$(sudo1 "$@")" OK "$name: allowed under a write grant"
	ungrant
}

# test_chmod_chown_without_opening
change "chmod of a zone file" chmod $ACME/chmod.txt 640
change "chown of a zone file" chown $ACME/chown.txt $USER1
# test_truncate_without_opening
change "truncate(2) of a zone file" truncate $ACME/trunc.txt 1
# open(O_RDONLY|O_TRUNC) asks only for read in f_mode, yet empties the file
t_is "$(sudo1 otrunc $ACME/otrunc.txt)" EACCES "O_RDONLY|O_TRUNC: denied without a grant"
grant r
t_is "$(sudo1 otrunc $ACME/otrunc.txt)" EACCES "O_RDONLY|O_TRUNC: denied under a read grant"
t_is "$(wc -c <$ACME/otrunc.txt)" 7 "O_RDONLY|O_TRUNC under a read grant left the file whole"
grant rw
t_is "$(sudo1 otrunc $ACME/otrunc.txt)" OK "O_RDONLY|O_TRUNC: allowed under a write grant"
ungrant
# ftruncate on a descriptor opened under a write grant, after the grant is gone
grant rw
rm -f /tmp/go-ft
sudo1 hold $ACME/ftrunc.txt ftrunc wait:/tmp/go-ft ftrunc write >/tmp/ft.out &
hpid=$!
wait_lines /tmp/ft.out 2
ungrant
go /tmp/go-ft
wait $hpid
t_is "$(step /tmp/ft.out 2)" OK "ftruncate on a descriptor under a write grant"
t_is "$(step /tmp/ft.out 3)" EACCES "ftruncate on the same descriptor after the grant is removed: denied"
t_is "$(step /tmp/ft.out 4)" EACCES "write on the same descriptor after the grant is removed: denied"

# test_unlink_rmdir
change "unlink of a zone file" unlink $ACME/unlink.txt
change "rmdir of a zone directory" rmdir $ACME/rmdir.d
t_ok "the zone file and directory are gone only after the write-granted calls" \
	[ ! -e $ACME/unlink.txt -a ! -e $ACME/rmdir.d ]

# test_rename_out_in_within
change "rename of a zone file out of the zone" rename $ACME/ren-out.txt /srv/public/ren-out.txt
change "rename of a file into the zone" rename /srv/public/ren-in.txt $ACME/ren-in.txt
change "rename within the zone" rename $ACME/ren-within.txt $ACME/reports/ren-within.txt
grant rw
t_is "$(sudo1 rename $ACME/ren-x.txt $GLOBEX/ren-x.txt)" EACCES \
	"rename from acme to globex with a write grant on acme only: denied"
ungrant
# an unprivileged engineer in the sticky, world-writable shared directory
echo mine >$ACME/shared/eng1.txt
chown $ENG1 $ACME/shared/eng1.txt
t_is "$(door -u $ENG1 rename $ACME/shared/eng1.txt /srv/public/drop/eng1.txt)" EACCES \
	"eng1 renaming its own file out of the zone: denied"
t_ok "the file is still in the zone" [ -e $ACME/shared/eng1.txt ]
grant rw
t_is "$(door -u $ENG1 rename $ACME/shared/eng1.txt /srv/public/drop/eng1.txt)" OK \
	"eng1 renaming its own file out of the zone: allowed under a write grant"
ungrant

# test_create_mkdir_mknod_symlink_in_zone
change "mkdir in the zone" mkdir $ACME/new.d
change "mknod (fifo) in the zone" mknod $ACME/fifo
change "symlink made in the zone" symlink /etc/passwd $ACME/sym
t_is "$(sudo1 create $ACME/created.txt)" EACCES "create (O_CREAT) in the zone: denied without a grant"
t_ok "a denied create leaves no file behind" [ ! -e $ACME/created.txt ]
grant rw
t_is "$(sudo1 create $ACME/created.txt)" OK "create (O_CREAT) in the zone: allowed under a write grant"
ungrant
t_is "$(door -u $ENG1 create $ACME/shared/eng1-new.txt)" EACCES "eng1 creating a file in the shared zone dir: denied"
t_ok "eng1's denied create leaves no file behind" [ ! -e $ACME/shared/eng1-new.txt ]

# test_link_out_and_in
change "hard link of a zone file out of the zone" link $ACME/link-out.txt /srv/public/link-out.txt
change "hard link of an outside file into the zone" link /srv/public/link-in.txt $ACME/link-in.txt

# test_xattrs_and_acls
change "setxattr on a zone file" setxattr $ACME/xattr.txt user.k changed
change "removexattr on a zone file" removexattr $ACME/xattr.txt user.k
change "a POSIX ACL set on a zone file" setacl $ACME/acl.txt
change "a POSIX ACL removed from a zone file" removexattr $ACME/acl.txt system.posix_acl_access

# test_root_of_zone_itself
t_is "$(sudo1 chmod $ACME 700)" EACCES "chmod of the zone root: denied"
t_is "$(sudo1 rename $ACME /srv/public/acme-moved)" EACCES "moving the zone root away: denied"
t_is "$(sudo1 rmdir $GLOBEX/shared)" EACCES "rmdir in another zone: denied"

t_done
