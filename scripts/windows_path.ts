/**
 * The PowerShell that puts a directory on the Windows user PATH, printed by `deno task install`
 * and shown in README's Windows steps (a test keeps the two the same).
 *
 * It edits `HKCU\Environment\Path` itself: `[Environment]::GetEnvironmentVariable("Path",
 * "User")` returns it with `%USERPROFILE%`-style entries expanded, `SetEnvironmentVariable`
 * writes it back as REG_SZ (so later `%VAR%` entries stop expanding), and `$env:Path` is the
 * machine PATH and the user PATH joined (copying it would put the machine PATH into the user's).
 * So it reads the value unexpanded, adds the directory only when no entry already names it (an
 * upgrade changes nothing), writes it as REG_EXPAND_SZ, and then sets and removes a throw-away
 * user variable, whose only purpose is the settings-change broadcast that makes new terminals
 * see the new PATH without signing out.
 *
 * Usage: deno run scripts/windows_path.ts DIR    (prints the steps for DIR)
 */

/** The steps for the directory in the PowerShell variable `$dir`. */
export function windowsPathSteps(): string {
  return [
    `$key = [Microsoft.Win32.Registry]::CurrentUser.OpenSubKey("Environment", $true)`,
    `$entries = @($key.GetValue("Path", "", [Microsoft.Win32.RegistryValueOptions]::DoNotExpandEnvironmentNames) -split ";" | Where-Object { $_ })`,
    `if (-not ($entries | Where-Object { [Environment]::ExpandEnvironmentVariables($_).TrimEnd("\\") -eq $dir.TrimEnd("\\") })) {`,
    `  $key.SetValue("Path", ((@($entries) + $dir) -join ";"), [Microsoft.Win32.RegistryValueKind]::ExpandString)`,
    `  [Environment]::SetEnvironmentVariable("ABLY_PATH_BROADCAST", "1", "User"); [Environment]::SetEnvironmentVariable("ABLY_PATH_BROADCAST", $null, "User")`,
    `}`,
    `$key.Close()`,
  ].join("\n");
}

/** The steps for a literal directory, as `deno task install` prints them. */
export function windowsPathCommands(dir: string): string {
  return `$dir = '${dir.replaceAll("'", "''")}'\n${windowsPathSteps()}`;
}

if (import.meta.main) {
  if (Deno.args.length !== 1) {
    console.error("usage: deno run scripts/windows_path.ts DIR");
    Deno.exit(2);
  }
  console.log(windowsPathCommands(Deno.args[0]));
}
