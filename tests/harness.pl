#!/usr/bin/perl
# harness.pl - run every test through TAP::Harness (what prove uses), once
# with the plain build and once with the ASan+UBSan build, and end with one
# summary line "N passed, N failed" that CI reads.  Exits non-zero on any
# failure.
#
# Environment: M2N_PASSES ("plain asan" by default), M2N_SKIP_MTA=1 to
# leave out the real Postfix/Exim tests, M2N_TESTS to name test files,
# M2N_JOBS for how many test files run at once (3), M2N_CPU_LOG=FILE to
# append each file's wall, user and system seconds to FILE (/usr/bin/time),
# M2N_CLEANUP=1 (make
# check) to run tests/mta/cleanup.sh after the tests, before the summary.
use strict;
use warnings;
use Cwd qw(abs_path);
use File::Basename qw(dirname);
use TAP::Harness;
use TAP::Parser::Aggregator;

my $top = abs_path(dirname(abs_path($0)) . '/..');
chdir $top or die "chdir $top: $!";
my @passes = split ' ', ($ENV{M2N_PASSES} // 'plain asan');
my %builddir = (plain => 'build', asan => 'build/asan');

# Seconds each slow test file took on the 2-core machine (fresh clone,
# both passes, `M2N_CPU_LOG`, December 2026); anything not listed is
# quick.  The longest start first, whatever their pass, so that the run
# does not end with one long file on one CPU while the other idles.
my %slow = (
	'plain: tests/t/0530-mta-deb.t' => 73,
	'plain: tests/t/0520-mta-reliability.t' => 65,
	'plain: tests/t/0400-corpus.t' => 62,
	'plain: tests/t/0500-mta-postfix.t' => 43,
	'asan: tests/t/0200-api-faults.t' => 39,
	'plain: tests/t/0230-time-budget.t' => 32,
	'asan: tests/t/0300-golden.t' => 31,
	'asan: tests/t/0240-delivery-state.t' => 25,
	'plain: tests/t/0200-api-faults.t' => 23,
	'asan: tests/t/0100-fake-helpdesk.t' => 22,
	'asan: tests/t/0150-admin.t' => 19,
	'plain: tests/t/0240-delivery-state.t' => 18,
	'plain: tests/t/0300-golden.t' => 18,
	'plain: tests/t/0100-fake-helpdesk.t' => 18,
	'asan: build/asan/test_message' => 14,
	'plain: tests/t/0150-admin.t' => 13,
	'plain: tests/t/0505-mta-postfix-scratch.t' => 12,
	'asan: tests/t/0260-sender-policy.t' => 12,
	'asan: tests/t/0270-signed-addresses.t' => 11,
	'asan: tests/t/0220-discard.t' => 10,
);

# One run of TAP::Harness over every (pass, file) pair: the two passes
# share the CPUs instead of waiting for each other.
my @jobs;
my %args_of;
for my $pass (@passes) {
	my $bd = $builddir{$pass} or die "unknown pass $pass";
	my @tests;
	if ($ENV{M2N_TESTS}) {
		@tests = split ' ', $ENV{M2N_TESTS};
	} else {
		push @tests, grep { -x $_ && !/\.d$/ } sort glob("$bd/test_*");
		for my $t (sort glob('tests/t/*.t')) {
			# Real MTAs run once, with the plain build: they test
			# wiring, not memory, and they are the slowest part.
			next if $t =~ /-mta-/ && ($pass ne 'plain' || $ENV{M2N_SKIP_MTA});
			push @tests, $t;
		}
	}
	for my $t (@tests) {
		my $name = "$pass: $t";
		push @jobs, [$t, $name];
		# M2N_CPU_LOG=FILE: each file's wall, user and system
		# seconds (its whole process tree) appended to FILE.
		my @cpu = $ENV{M2N_CPU_LOG} ? ('/usr/bin/time', '-a', '-o',
		    $ENV{M2N_CPU_LOG}, '-f', "%e %U %S $name") : ();
		$args_of{$name} = ["M2N_TOP=$top", "M2N_BIN=$top/$bd/mail2note",
		    "M2N_BUILD=$top/$bd", "M2N_PASS=$pass", @cpu,
		    ($t =~ /\.t$/ ? ('/bin/bash') : ()), $t];
	}
}
my $n = 0;
my %order = map { $_->[1] => $n++ } @jobs;
@jobs = sort { ($slow{$b->[1]} // 0) <=> ($slow{$a->[1]} // 0)
    || $order{$a->[1]} <=> $order{$b->[1]} } @jobs;

# python3 found through a version manager's shim (pyenv: a bash script
# that runs pyenv, which finds the version) costs ~0.7 s per start on the
# 2-core machine, against 0.07 s for the interpreter itself, and the tests
# start python3 some thousands of times.  The same interpreter, found once:
# its directory goes first in PATH.
my $pydir = `python3 -c 'import os, sys; print(os.path.dirname(sys.executable))' 2>/dev/null`;
chomp $pydir if defined $pydir;
if ($pydir && -x "$pydir/python3") {
	$ENV{PATH} = "$pydir:$ENV{PATH}";
	print "# python3: $pydir/python3\n";
}

# The binary refuses root; CI runs the suite as root (see Makefile).
local $ENV{MAIL2NOTE_ALLOW_ROOT} = $ENV{MAIL2NOTE_ALLOW_ROOT} // 1;
print "# passes: @passes\n";
my $h = TAP::Harness->new({
	verbosity => ($ENV{M2N_VERBOSE} ? 1 : 0),
	timer => 1,
	# M2N_JOBS at a time (3): much of the suite waits on timeouts,
	# stalls and the MTAs, not on the CPU.  Every test has its own
	# temporary directory, fake helpdesk and ports.
	jobs => ($ENV{M2N_JOBS} // 3),
	# Each job runs as `env VAR=... [bash] FILE`: the pass's variables
	# go in test_args, keyed by the job's name (its two passes share the
	# file name).
	exec => sub { return ['env'] },
	test_args => \%args_of,
});
my $agg = $h->runtests(@jobs);
my $passed = scalar $agg->passed;
my $failed = scalar $agg->failed;
my $skipped = scalar $agg->skipped;
my ($files_bad, @bad) = (0);
for my $d ($agg->descriptions) {
	my ($p) = $agg->parsers($d);
	if ($p->has_problems) {
		$files_bad++;
		push @bad, $d;
	}
}
print "# failing: $_\n" for @bad;
# make check: the test accounts and MTA cache go (unless M2N_KEEP=1),
# whatever the outcome; the summary stays the last line.
system('sh', 'tests/mta/cleanup.sh') if $ENV{M2N_CLEANUP};
# A test program that dies or breaks its plan counts as a failure too.
my $fail_total = $failed + ($files_bad > $failed ? $files_bad - $failed : 0);
print "$passed passed, $fail_total failed, $skipped skipped\n";
exit($fail_total ? 1 : 0);
