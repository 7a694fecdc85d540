# frozen_string_literal: true

# Loads a rendered Homebrew formula under a minimal stand-in for Homebrew's DSL and checks,
# for macOS and Linux on arm and intel, which archive and checksum it selects, that it
# installs `ably`, its man page and the completion scripts `ably completions SHELL` prints,
# that livecheck follows the GitHub release, and (given ABLY) that its `test do` block passes
# against that executable (in a throw-away directory as its `testpath`).
#
# Usage: ruby scripts/check_formula.rb FORMULA VERSION BASE_URL SHA256SUMS [ABLY]
# Needs only Ruby, not Homebrew. Exits non-zero on the first mismatch.

require "open3"
require "pathname"
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

  # `livecheck do … end`: records its url and strategy.
  def self.livecheck(&block)
    recorder = Object.new
    def recorder.url(value = nil) = (@url = value)
    def recorder.strategy(value = nil) = (@strategy = value)
    recorder.instance_eval(&block)
    $spec[:livecheck] = { url: recorder.instance_variable_get(:@url),
                          strategy: recorder.instance_variable_get(:@strategy) }
  end

  attr_reader :bin, :prefix, :man1, :testpath, :completions

  def initialize(bin, prefix = nil, man1 = nil, testpath = nil)
    @bin = bin
    @prefix = prefix
    @man1 = man1
    @testpath = testpath
    @completions = []
  end

  def generate_completions_from_executable(*args, **options)
    @completions << [args.map(&:to_s), options]
  end

  def refute_match(unexpected, actual)
    raise "expected #{actual.inspect} not to match #{unexpected.inspect}" if actual.match?(Formula.matcher(unexpected))
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

  # As minitest's: a String is matched literally.
  def self.matcher(pattern)
    pattern.is_a?(String) ? Regexp.new(Regexp.escape(pattern)) : pattern
  end

  def assert_match(expected, actual)
    raise "expected #{actual.inspect} to match #{expected.inspect}" unless actual.match?(Formula.matcher(expected))
  end
end

# Records what `bin.install` / `prefix.install` / `man1.install` are asked to install.
class RecordingBin
  attr_reader :installed

  def initialize(path = "BIN")
    @installed = []
    @path = path
  end

  def /(other)
    "#{@path}/#{other}"
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

  recorder = RecordingBin.new("BIN")
  prefix = RecordingBin.new
  man1 = RecordingBin.new
  formula = Ably.new(recorder, prefix, man1)
  formula.install
  check recorder.installed == ["ably"], "install put #{recorder.installed.inspect} into bin, not [\"ably\"]"
  notices = %w[LICENSE THIRD_PARTY_NOTICES.txt]
  check prefix.installed == notices, "install put #{prefix.installed.inspect} into prefix, not #{notices}"
  check man1.installed == ["man/ably.1"], "install put #{man1.installed.inspect} into man1, not man/ably.1"
  # Homebrew runs `ably completions bash|zsh|fish` (its default shells, the word as an argument).
  check formula.completions == [[["BIN/ably", "completions"], {}]],
        "completions: #{formula.completions.inspect}, not generate_completions_from_executable(bin/\"ably\", \"completions\")"
  check $spec[:livecheck] == { url: :stable, strategy: :github_latest },
        "livecheck #{$spec[:livecheck].inspect}, not url :stable with strategy :github_latest"
  check $spec[:test], "no test block"
  puts "ok #{platform.join("/")}: #{archive}"
end

if ably
  Dir.mktmpdir do |dir|
    File.symlink(File.expand_path(ably), File.join(dir, "ably"))
    Dir.mktmpdir do |testpath|
      saved = ENV.to_h
      begin
        Ably.new(dir, nil, nil, Pathname(testpath)).instance_exec(&$spec[:test])
      ensure
        ENV.replace(saved)
      end
    end
  end
  puts "ok test block against #{ably}"
end
