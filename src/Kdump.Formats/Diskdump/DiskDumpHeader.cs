using System.Text;
using Kdump.Primitives;

namespace Kdump.Formats.Diskdump;

/// <summary>struct disk_dump_header, block 0 of a kdump-compressed file.</summary>
public sealed partial record DiskDumpHeader
{
    /// <summary>sizeof(struct disk_dump_header) on a 64-bit machine (x86_64): 464 bytes.</summary>
    public const int Size64 = FieldLocations.Bits64.Size;

    public required string Signature { get; init; }       // signature[8]: "KDUMP   " or "DISKDUMP"
    public int HeaderVersion { get; init; }                // header_version
    public required UtsName Uts { get; init; }         // utsname (struct new_utsname)
    public ulong TimestampSeconds { get; init; }           // timestamp.tv_sec
    public ulong TimestampMicroseconds { get; init; }      // timestamp.tv_usec
    public DiskDumpStatus Status { get; init; }            // status
    public int BlockSize { get; init; }                    // block_size (the page size)
    public int SubHeaderBlocks { get; init; }              // sub_hdr_size, in blocks
    public uint BitmapBlocks { get; init; }                // bitmap_blocks, both bitmaps together
    public uint MaxMapNr { get; init; }                    // max_mapnr, truncated to 32 bits (see max_mapnr_64)
    public uint TotalRamBlocks { get; init; }              // total_ram_blocks
    public uint DeviceBlocks { get; init; }                // device_blocks
    public uint WrittenBlocks { get; init; }               // written_blocks
    public uint CurrentCpu { get; init; }                  // current_cpu
    public int CpuCount { get; init; }                     // nr_cpus

    /// <summary>struct new_utsname: six NUL-padded char[65].</summary>
    public sealed record UtsName(string SysName, string NodeName, string Release, string Version, string Machine, string DomainName)
    {
        public const int FieldBytes = 65;
        public const int Size = 6 * FieldBytes;

        public static UtsName ReadCore(ReadOnlySpan<byte> block)
        {
            return new UtsName(F(block, 0), F(block, 1), F(block, 2), F(block, 3), F(block, 4), F(block, 5));
        }

        private static string F(ReadOnlySpan<byte> block, int i)
        {
            return NulTerminated.Ascii(block.Slice(i * FieldBytes, FieldBytes));
        }

        public void WriteCore(Span<byte> block)
        {
            block[..Size].Clear();
            string[] all = [SysName, NodeName, Release, Version, Machine, DomainName];
            for (var i = 0; i < all.Length; i++)
            {
                var bytes = Encoding.ASCII.GetBytes(all[i]);
                bytes.AsSpan(0, Math.Min(bytes.Length, FieldBytes - 1)).CopyTo(block[(i * FieldBytes)..]);
            }
        }
    }

    public const string KdumpSignature = "KDUMP   ";
    public const string DiskDumpSignature = "DISKDUMP";

    /// <summary>Highest header_version any writer produces (makedumpfile, QEMU).</summary>
    public const int MaxKnownVersion = 6;

    public DiskDumpStatus Compression => Status & (DiskDumpStatus.CompressedZlib | DiskDumpStatus.CompressedLzo | DiskDumpStatus.CompressedSnappy | DiskDumpStatus.CompressedZstd);

    public static int SizeOf(DataLayout layout) => layout.Is64Bit ? FieldLocations.Bits64.Size : FieldLocations.Bits32.Size;

    public static DiskDumpHeader ReadCore(ReadOnlySpan<byte> block, DataLayout layout)
    {
        var r = new EndianReader(block, layout);
        var common = new DiskDumpHeader
        {
            Signature = Encoding.ASCII.GetString(block[..8]),
            HeaderVersion = r.I32(FieldLocations.HeaderVersion),
            Uts = UtsName.ReadCore(block.Slice(FieldLocations.Utsname, UtsName.Size)),
        };
        return layout.Is64Bit
            ? common with
            {
                TimestampSeconds = r.U64(FieldLocations.Bits64.TimestampSec),
                TimestampMicroseconds = r.U64(FieldLocations.Bits64.TimestampUsec),
                Status = (DiskDumpStatus)r.U32(FieldLocations.Bits64.Status),
                BlockSize = r.I32(FieldLocations.Bits64.BlockSize),
                SubHeaderBlocks = r.I32(FieldLocations.Bits64.SubHdrSize),
                BitmapBlocks = r.U32(FieldLocations.Bits64.BitmapBlocks),
                MaxMapNr = r.U32(FieldLocations.Bits64.MaxMapNr),
                TotalRamBlocks = r.U32(FieldLocations.Bits64.TotalRamBlocks),
                DeviceBlocks = r.U32(FieldLocations.Bits64.DeviceBlocks),
                WrittenBlocks = r.U32(FieldLocations.Bits64.WrittenBlocks),
                CurrentCpu = r.U32(FieldLocations.Bits64.CurrentCpu),
                CpuCount = r.I32(FieldLocations.Bits64.NrCpus),
            }
            : common with
            {
                TimestampSeconds = r.U32(FieldLocations.Bits32.TimestampSec),
                TimestampMicroseconds = r.U32(FieldLocations.Bits32.TimestampUsec),
                Status = (DiskDumpStatus)r.U32(FieldLocations.Bits32.Status),
                BlockSize = r.I32(FieldLocations.Bits32.BlockSize),
                SubHeaderBlocks = r.I32(FieldLocations.Bits32.SubHdrSize),
                BitmapBlocks = r.U32(FieldLocations.Bits32.BitmapBlocks),
                MaxMapNr = r.U32(FieldLocations.Bits32.MaxMapNr),
                TotalRamBlocks = r.U32(FieldLocations.Bits32.TotalRamBlocks),
                DeviceBlocks = r.U32(FieldLocations.Bits32.DeviceBlocks),
                WrittenBlocks = r.U32(FieldLocations.Bits32.WrittenBlocks),
                CurrentCpu = r.U32(FieldLocations.Bits32.CurrentCpu),
                CpuCount = r.I32(FieldLocations.Bits32.NrCpus),
            };
    }

    public void WriteCore(Span<byte> block, DataLayout layout)
    {
        if (!layout.Is64Bit) throw new NotSupportedException("writing the 32-bit disk_dump_header layout is not implemented");
        block[..SizeOf(layout)].Clear();
        Encoding.ASCII.GetBytes(Signature.PadRight(8).AsSpan(0, 8), block);
        var w = new EndianWriter(block, layout);
        // The C fields are int: a damaged input's negative value (a re-filtered dump copies
        // nr_cpus) goes through bit for bit.
        w.U32(FieldLocations.HeaderVersion, unchecked((uint)HeaderVersion));
        Uts.WriteCore(block[FieldLocations.Utsname..]);
        w.U64(FieldLocations.Bits64.TimestampSec, TimestampSeconds);
        w.U64(FieldLocations.Bits64.TimestampUsec, TimestampMicroseconds);
        w.U32(FieldLocations.Bits64.Status, (uint)Status);
        w.U32(FieldLocations.Bits64.BlockSize, unchecked((uint)BlockSize));
        w.U32(FieldLocations.Bits64.SubHdrSize, unchecked((uint)SubHeaderBlocks));
        w.U32(FieldLocations.Bits64.BitmapBlocks, BitmapBlocks);
        w.U32(FieldLocations.Bits64.MaxMapNr, MaxMapNr);
        w.U32(FieldLocations.Bits64.TotalRamBlocks, TotalRamBlocks);
        w.U32(FieldLocations.Bits64.DeviceBlocks, DeviceBlocks);
        w.U32(FieldLocations.Bits64.WrittenBlocks, WrittenBlocks);
        w.U32(FieldLocations.Bits64.CurrentCpu, CurrentCpu);
        w.U32(FieldLocations.Bits64.NrCpus, unchecked((uint)CpuCount));
    }
}
