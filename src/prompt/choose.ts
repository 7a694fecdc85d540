/** Pick lists and free-text questions; terminal only (callers decide what to do without one). */

export const INTERRUPTED = Symbol("interrupted");

export function canAsk(): boolean {
  return Deno.stdin.isTerminal() && Deno.stdout.isTerminal();
}

export async function choose<T>(
  message: string,
  choices: { name: string; value: T; description?: string }[],
): Promise<T | typeof INTERRUPTED> {
  const { select } = await import("@inquirer/prompts");
  return await interruptible(() => select({ message, choices }));
}

export async function ask(
  message: string,
  options: { default?: string; validate?: (value: string) => string | undefined },
): Promise<string | typeof INTERRUPTED> {
  const { input } = await import("@inquirer/prompts");
  return await interruptible(() =>
    input({
      message,
      default: options.default,
      validate: (value) => options.validate?.(value.trim()) ?? true,
    })
  );
}

export async function askYesNo(message: string): Promise<boolean | typeof INTERRUPTED> {
  const { confirm } = await import("@inquirer/prompts");
  return await interruptible(() => confirm({ message, default: false }));
}

async function interruptible<T>(prompt: () => Promise<T>): Promise<T | typeof INTERRUPTED> {
  try {
    return await prompt();
  } catch (error) {
    if ((error as Error).name === "ExitPromptError") return INTERRUPTED;
    throw error;
  }
}
