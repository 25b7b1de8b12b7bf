/*
 * A stand-in for Windows' bcryptprimitives.dll, for `make package`'s wine check only.
 * Go programs (1.22 and later) load it at start for ProcessPrng, their source of
 * random bytes; Windows 10 and later ship it, Debian 12's wine 8 does not, and there
 * Merci.exe stops before main. package.sh puts this one in the throwaway wine prefix
 * when wine has none. It answers from RtlGenRandom (advapi32's SystemFunction036),
 * which wine has. Merci.exe itself is built and shipped unchanged.
 */
#include <windows.h>

BOOLEAN WINAPI SystemFunction036(PVOID buffer, ULONG length);

__declspec(dllexport) BOOL WINAPI ProcessPrng(PBYTE data, SIZE_T length)
{
	while (length > 0) {
		ULONG n = length > 0x40000000 ? 0x40000000 : (ULONG)length;
		if (!SystemFunction036(data, n))
			return FALSE;
		data += n;
		length -= n;
	}
	return TRUE;
}
