namespace Kdump.Formats.Diskdump;

public sealed partial record DiskDumpHeader
{
    /// <summary>
    /// The header is written with the dumped machine's native alignment, so the fields after
    /// utsname move with the size of <c>struct timeval</c> (makedumpfile diskdump_mod.h).
    /// </summary>
    internal static class FieldLocations
    {
        public const int Signature = 0;       // signature[8]
        public const int HeaderVersion = 8;   // header_version
        public const int Utsname = 12;        // utsname, 6 × char[65], ends at 402

        /// <summary>64-bit machines (x86_64, aarch64, ppc64, s390x): 464 bytes.</summary>
        public static class Bits64
        {
            public const int TimestampSec = 408;     // timestamp.tv_sec (after 6 bytes of padding)
            public const int TimestampUsec = 416;    // timestamp.tv_usec
            public const int Status = 424;           // status
            public const int BlockSize = 428;        // block_size
            public const int SubHdrSize = 432;       // sub_hdr_size
            public const int BitmapBlocks = 436;     // bitmap_blocks
            public const int MaxMapNr = 440;         // max_mapnr
            public const int TotalRamBlocks = 444;   // total_ram_blocks
            public const int DeviceBlocks = 448;     // device_blocks
            public const int WrittenBlocks = 452;    // written_blocks
            public const int CurrentCpu = 456;       // current_cpu
            public const int NrCpus = 460;           // nr_cpus
            public const int Size = 464;
        }

        /// <summary>32-bit machines (i386): 452 bytes.</summary>
        public static class Bits32
        {
            public const int TimestampSec = 404;     // timestamp.tv_sec (after 2 bytes of padding)
            public const int TimestampUsec = 408;    // timestamp.tv_usec
            public const int Status = 412;           // status
            public const int BlockSize = 416;        // block_size
            public const int SubHdrSize = 420;       // sub_hdr_size
            public const int BitmapBlocks = 424;     // bitmap_blocks
            public const int MaxMapNr = 428;         // max_mapnr
            public const int TotalRamBlocks = 432;   // total_ram_blocks
            public const int DeviceBlocks = 436;     // device_blocks
            public const int WrittenBlocks = 440;    // written_blocks
            public const int CurrentCpu = 444;       // current_cpu
            public const int NrCpus = 448;           // nr_cpus
            public const int Size = 452;
        }
    }
}
