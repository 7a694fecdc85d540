# Runs the user-PATH steps that README shows and `deno task install` prints
# (scripts/windows_path.ts) against this machine's own HKCU\Environment\Path, and checks what
# .NET's [Environment] API gets wrong: the value stays REG_EXPAND_SZ, a %USERPROFILE% entry
# stays unexpanded, the machine PATH is not copied in, and a second run (an upgrade) changes
# nothing, also when the directory is already there in %VAR% form. The value is restored after.
# For the release build's Windows runner (a throw-away machine); do not run it on your own.
#
# Usage: pwsh -File scripts/windows_path_check.ps1
$ErrorActionPreference = "Stop"
$reg = [Microsoft.Win32.Registry]::CurrentUser.OpenSubKey("Environment", $true)
$raw = [Microsoft.Win32.RegistryValueOptions]::DoNotExpandEnvironmentNames
$saved = $reg.GetValue("Path", $null, $raw)
$savedKind = if ($null -ne $saved) { $reg.GetValueKind("Path") } else { $null }

function Fail([string] $message) {
  Write-Host "::error::windows_path_check: $message"
  exit 1
}

function Invoke-Steps([string] $dir) {
  $steps = (& deno run scripts/windows_path.ts $dir) -join "`n"
  if ($LASTEXITCODE -ne 0) { Fail "deno run scripts/windows_path.ts failed" }
  Invoke-Expression $steps
}

try {
  $dir = Join-Path $env:USERPROFILE "ably-path-check"
  $seed = "%USERPROFILE%\ably-path-check-tools;C:\ably-path-check-other"
  $reg.SetValue("Path", $seed, [Microsoft.Win32.RegistryValueKind]::ExpandString)
  Invoke-Steps $dir
  Invoke-Steps $dir
  $after = $reg.GetValue("Path", $null, $raw)
  if ($reg.GetValueKind("Path") -ne [Microsoft.Win32.RegistryValueKind]::ExpandString) {
    Fail "the user Path became $($reg.GetValueKind('Path')), not REG_EXPAND_SZ"
  }
  if ($after -ne "$seed;$dir") { Fail "user Path is '$after', expected '$seed;$dir' (added once)" }
  $machine = [Environment]::GetEnvironmentVariable("Path", "Machine") -split ";" | Where-Object { $_ }
  foreach ($entry in $machine) {
    if (($after -split ";") -contains $entry) { Fail "the machine PATH entry '$entry' was copied in" }
  }
  # Already there as %USERPROFILE%\ably-path-check: nothing to add.
  $reg.SetValue("Path", "%USERPROFILE%\ably-path-check", [Microsoft.Win32.RegistryValueKind]::ExpandString)
  Invoke-Steps $dir
  $again = $reg.GetValue("Path", $null, $raw)
  if ($again -ne "%USERPROFILE%\ably-path-check") { Fail "an entry in %VAR% form was not recognised: '$again'" }
  Write-Host "ok: the user PATH steps keep REG_EXPAND_SZ and %VAR% entries, add once, copy no machine PATH"
} finally {
  if ($null -eq $saved) { $reg.DeleteValue("Path", $false) } else { $reg.SetValue("Path", $saved, $savedKind) }
  $reg.Close()
}
