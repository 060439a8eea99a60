#!/usr/bin/perl
# harness.pl - run every test through TAP::Harness (what prove uses), once
# with the plain build and once with the ASan+UBSan build, and end with one
# summary line "N passed, N failed" that CI reads.  Exits non-zero on any
# failure.
#
# Environment: M2N_PASSES ("plain asan" by default), M2N_SKIP_MTA=1 to
# leave out the real Postfix/Exim tests, M2N_TESTS to name test files,
# M2N_JOBS for how many test files run at once (2).
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

my ($passed, $failed, $skipped, $files_bad) = (0, 0, 0, 0);
my @bad;
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
	local $ENV{M2N_TOP} = $top;
	local $ENV{M2N_BIN} = "$top/$bd/mail2note";
	local $ENV{M2N_BUILD} = "$top/$bd";
	local $ENV{M2N_PASS} = $pass;
	# The binary refuses root; CI runs the suite as root (see Makefile).
	local $ENV{MAIL2NOTE_ALLOW_ROOT} = $ENV{MAIL2NOTE_ALLOW_ROOT} // 1;
	print "# pass: $pass ($bd)\n";
	my $h = TAP::Harness->new({
		verbosity => ($ENV{M2N_VERBOSE} ? 1 : 0),
		timer => 1,
		# Two at a time (M2N_JOBS): much of the suite waits on
		# timeouts, stalls and the MTAs, not on the CPU.  Every test
		# has its own temporary directory, fake helpdesk and ports.
		jobs => ($ENV{M2N_JOBS} // 2),
		exec => sub {
			my ($harness, $file) = @_;
			return $file =~ /\.t$/ ? ['/bin/bash', $file] : [$file];
		},
	});
	my @jobs = map { [$_, "$pass: $_"] } @tests;
	my $agg = $h->runtests(@jobs);
	$passed += scalar $agg->passed;
	$failed += scalar $agg->failed;
	$skipped += scalar $agg->skipped;
	for my $d ($agg->descriptions) {
		my ($p) = $agg->parsers($d);
		if ($p->has_problems) {
			$files_bad++;
			push @bad, $d;
		}
	}
}
print "# failing: $_\n" for @bad;
# A test program that dies or breaks its plan counts as a failure too.
my $fail_total = $failed + ($files_bad > $failed ? $files_bad - $failed : 0);
print "$passed passed, $fail_total failed, $skipped skipped\n";
exit($fail_total ? 1 : 0);
