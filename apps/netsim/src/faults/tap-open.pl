#!/usr/bin/perl
# Opens one TAP device per name given (in the caller's network namespace) and execs the command
# after "--" with the devices' file descriptors as fds 3, 4, ... in the order of the names.
# Node cannot issue the TUNSETIFF ioctl itself; this is the only thing the userspace switch
# needs from outside node. Usage: tap-open.pl NAME... -- COMMAND ARGS...
use strict;
use warnings;
$^F = 10_000;    # keep the descriptors open across exec (no close-on-exec)
my @names;
while (@ARGV && $ARGV[0] ne '--') { push @names, shift @ARGV; }
shift @ARGV;
die "usage: tap-open.pl NAME... -- COMMAND...\n" unless @names && @ARGV;
my $TUNSETIFF = 0x400454ca;
my $IFF_TAP_NO_PI = 0x0002 | 0x1000;
my @keep;
for my $i (0 .. $#names) {
  open(my $fh, '+<', '/dev/net/tun') or die "tap-open: /dev/net/tun: $!\n";
  ioctl($fh, $TUNSETIFF, pack('a16 s', $names[$i], $IFF_TAP_NO_PI)) or die "tap-open: TUNSETIFF $names[$i]: $!\n";
  die "tap-open: $names[$i] got fd " . fileno($fh) . ", expected " . (3 + $i) . "\n" unless fileno($fh) == 3 + $i;
  push @keep, $fh;
}
exec { $ARGV[0] } @ARGV or die "tap-open: exec $ARGV[0]: $!\n";
