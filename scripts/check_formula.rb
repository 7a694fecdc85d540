# frozen_string_literal: true

# Loads a rendered Homebrew formula under a minimal stand-in for Homebrew's DSL and checks,
# for macOS and Linux on arm and intel, which archive and checksum it selects, that it
# installs `ably`, and (given ABLY) that its `test do` block passes against that executable.
#
# Usage: ruby scripts/check_formula.rb FORMULA VERSION BASE_URL SHA256SUMS [ABLY]
# Needs only Ruby, not Homebrew. Exits non-zero on the first mismatch.

require "open3"
require "tmpdir"

formula_path, expected_version, base_url, sums_path, ably = ARGV
abort "usage: #{$PROGRAM_NAME} FORMULA VERSION BASE_URL SHA256SUMS [ABLY]" unless sums_path

$platform = nil # [os, arch] being simulated
$spec = {}

module Hardware
  module CPU
    def self.arm?
      $platform[1] == :arm
    end

    def self.intel?
      $platform[1] == :intel
    end
  end
end

# The parts of Homebrew's Formula DSL that the template may use.
class Formula
  %i[desc homepage url sha256 license].each do |name|
    define_singleton_method(name) { |value| $spec[name] = value }
  end

  # Homebrew reads the version from the URL; `brew audit` reports an explicit one as redundant.
  def self.version(value)
    abort "check_formula: a `version \"#{value}\"` line: the version comes from the URL (brew audit: redundant)"
  end

  def self.on_macos
    yield if $platform[0] == :macos
  end

  def self.on_linux
    yield if $platform[0] == :linux
  end

  def self.test(&block)
    $spec[:test] = block
  end

  attr_reader :bin, :prefix

  def initialize(bin, prefix = nil)
    @bin = bin
    @prefix = prefix
  end

  def version
    Formula.version_from_url($spec[:url])
  end

  # The version of a release URL, .../releases/download/vVERSION/ably-VERSION-TARGET.tar.gz,
  # where Homebrew finds it; nil unless the directory and the file name agree.
  def self.version_from_url(url)
    match = %r{/releases/download/v([^/]+)/ably-([^/]+?)-(?:x86_64|aarch64)-}.match(url.to_s)
    match && match[1] == match[2] ? match[1] : nil
  end

  def shell_output(command, expected_status = 0)
    output, status = Open3.capture2(command)
    raise "#{command} exited #{status.exitstatus}, not #{expected_status}" unless status.exitstatus == expected_status

    output
  end

  def assert_match(expected, actual)
    raise "expected #{actual.inspect} to match #{expected.inspect}" unless actual.match?(expected)
  end
end

# Records what `bin.install` / `prefix.install` are asked to install.
class RecordingBin
  attr_reader :installed

  def initialize
    @installed = []
  end

  def install(*files)
    @installed.concat(files)
  end
end

def check(condition, message)
  abort "check_formula: #{message}" unless condition
end

sums = File.readlines(sums_path, chomp: true).reject(&:empty?).to_h do |line|
  sum, file = line.split(/ [ *]/, 2)
  [File.basename(file), sum.downcase]
end

{
  [:macos, :arm] => "aarch64-apple-darwin",
  [:macos, :intel] => "x86_64-apple-darwin",
  [:linux, :arm] => "aarch64-unknown-linux-gnu",
  [:linux, :intel] => "x86_64-unknown-linux-gnu",
}.each do |platform, target|
  $platform = platform
  $spec = {}
  Object.send(:remove_const, :Ably) if Object.const_defined?(:Ably)
  load formula_path
  check Object.const_defined?(:Ably) && Ably < Formula, "#{formula_path} does not define Ably < Formula"

  archive = "ably-#{expected_version}-#{target}.tar.gz"
  url_version = Formula.version_from_url($spec[:url])
  check url_version == expected_version, "version from the URL #{url_version.inspect} != #{expected_version.inspect}"
  check $spec[:url] == "#{base_url.chomp("/")}/#{archive}", "#{platform.join("/")}: url #{$spec[:url].inspect}"
  check sums.key?(archive), "#{sums_path} has no #{archive}"
  check $spec[:sha256] == sums[archive], "#{platform.join("/")}: sha256 #{$spec[:sha256].inspect} != #{sums[archive]}"
  %i[desc homepage].each { |field| check $spec[field].is_a?(String) && !$spec[field].empty?, "no #{field}" }
  check $spec[:license] == "MIT", "license #{$spec[:license].inspect}, not \"MIT\""

  recorder = RecordingBin.new
  prefix = RecordingBin.new
  Ably.new(recorder, prefix).install
  check recorder.installed == ["ably"], "install put #{recorder.installed.inspect} into bin, not [\"ably\"]"
  notices = %w[LICENSE THIRD_PARTY_NOTICES.txt]
  check prefix.installed == notices, "install put #{prefix.installed.inspect} into prefix, not #{notices}"
  check $spec[:test], "no test block"
  puts "ok #{platform.join("/")}: #{archive}"
end

if ably
  Dir.mktmpdir do |dir|
    File.symlink(File.expand_path(ably), File.join(dir, "ably"))
    Ably.new(dir).instance_exec(&$spec[:test])
  end
  puts "ok test block against #{ably}"
end
