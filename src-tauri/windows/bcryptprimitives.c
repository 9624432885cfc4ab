/*
 * bcryptprimitives.dll stand-in, for Wine 8 test prefixes ONLY. Never shipped, never put in
 * the installer: real Windows (10 and later) has its own bcryptprimitives.dll.
 *
 * Why it exists: Rust 1.78 and later get random bytes (HashMap seeds, getrandom, ...) from
 * ProcessPrng in bcryptprimitives.dll, so every Rust .exe built for Windows imports it.
 * Wine 8 has no bcryptprimitives.dll, so herald.exe and herald-cli.exe refuse to start
 * there ("import not found"). Copying this DLL beside the .exe (or into the prefix's
 * system32) makes them start under Wine 8; Wine 9 and later have the function themselves.
 *
 * It exports the one function Rust needs and implements it with BCryptGenRandom, which Wine
 * 8 does have:
 *
 *   BOOL WINAPI ProcessPrng(PBYTE pbData, SIZE_T cbData);
 *
 * Build (from the repository root; the output belongs in the Wine prefix, not the repo):
 *
 *   x86_64-w64-mingw32-gcc -O2 -shared -o bcryptprimitives.dll \
 *       src-tauri/windows/bcryptprimitives.c -lbcrypt -Wl,--kill-at
 */

#include <windows.h>
#include <bcrypt.h>
#include <stdlib.h>

#ifndef STATUS_SUCCESS
#define STATUS_SUCCESS ((NTSTATUS)0x00000000L)
#endif

/* BCryptGenRandom takes a ULONG length; stay within a positive LONG to be safe. */
#define MAX_CHUNK ((SIZE_T)0x7fffffff)

__declspec(dllexport) BOOL WINAPI ProcessPrng(PBYTE pbData, SIZE_T cbData)
{
    while (cbData > 0) {
        ULONG chunk = (ULONG)(cbData < MAX_CHUNK ? cbData : MAX_CHUNK);
        NTSTATUS status =
            BCryptGenRandom(NULL, pbData, chunk, BCRYPT_USE_SYSTEM_PREFERRED_RNG);
        if (status != STATUS_SUCCESS) {
            /*
             * Microsoft documents that ProcessPrng always returns TRUE, and callers rely on
             * it: Rust's standard library and the getrandom crate check the result only in
             * debug builds, so a release build would go on with a buffer that was never
             * filled (predictable HashMap seeds, predictable "random" bytes). Returning
             * FALSE would break that promise silently; stopping the process cannot.
             */
            abort();
        }
        pbData += chunk;
        cbData -= chunk;
    }
    return TRUE;
}
