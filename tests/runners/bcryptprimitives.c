/*
 * bcryptprimitives.dll for Wine 8: just ProcessPrng.
 *
 * Rust's std on Windows (since 1.78) draws its random bytes (HashMap seeds,
 * std::random) from bcryptprimitives.dll!ProcessPrng. Wine 8, the one
 * Debian 12 ships, has no such DLL, so every Rust test binary fails to load.
 * tests/runners/wine-run builds this file with x86_64-w64-mingw32-gcc and puts
 * the DLL beside the executable, where the Windows loader looks first.
 *
 * ProcessPrng(pbData, cbData) fills the buffer and always returns TRUE
 * (documented as never failing); we forward to advapi32!SystemFunction036
 * (RtlGenRandom), which Wine implements, in chunks because it takes a ULONG.
 * No C runtime: the DLL imports only advapi32 and needs no CRT start-up.
 */
#include <windows.h>

__declspec(dllimport) BOOLEAN WINAPI SystemFunction036(PVOID buffer, ULONG length);

__declspec(dllexport) BOOL WINAPI ProcessPrng(PBYTE data, SIZE_T len)
{
    while (len > 0) {
        ULONG chunk = len > 0x40000000 ? 0x40000000 : (ULONG)len;
        if (!SystemFunction036(data, chunk))
            return FALSE;
        data += chunk;
        len -= chunk;
    }
    return TRUE;
}

BOOL WINAPI DllMain(HINSTANCE instance, DWORD reason, LPVOID reserved)
{
    (void)instance;
    (void)reason;
    (void)reserved;
    return TRUE;
}
