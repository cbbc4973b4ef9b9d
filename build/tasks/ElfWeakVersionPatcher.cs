// Marks one GNU version requirement (a `.gnu.version_r` auxiliary entry) of an ELF64
// little-endian shared object as WEAK, and tells whether a library defines a version.
//
// Why: TorchSharp 0.107's libLibTorchSharp.so was linked by GCC 13 and so requires
// GLIBCXX_3.4.32 for one symbol (_ZSt21ios_base_library_initv, a link-time marker that is
// never called). Debian 12 and Ubuntu 22.04 ship GLIBCXX_3.4.30 and the loader refuses the
// library. A WEAK requirement is one the dynamic loader tolerates when missing, which is the
// truth for this marker. The file is compiled twice: by MSBuild's RoslynCodeTaskFactory as
// the inline task in GradSentry.NativePatch.targets, and by the test project (with
// GRADSENTRY_ELF_TESTS defined, so the MSBuild Task class is left out), and by GradSentry.Core (with
// GRADSENTRY_ELF_INTERNAL: the class is internal there) for the run-time fallback in TorchNativeLoader.
using System;
using System.IO;
using System.Text;

namespace GradSentry.Build.Native
{
    /// <summary>ELF64 little-endian reader/patcher for GNU symbol versioning sections.</summary>
#if GRADSENTRY_ELF_INTERNAL
    internal
#else
    public
#endif
    static class ElfVersioning
    {
        const uint ShtGnuVerdef = 0x6ffffffd;
        const uint ShtGnuVerneed = 0x6ffffffe;
        /// <summary>VER_FLG_WEAK from elf.h.</summary>
        public const ushort VerFlagWeak = 0x2;

        /// <summary>Result of a patch attempt.</summary>
        public enum PatchResult { Patched, AlreadyWeak, NotRequired }

        /// <summary>
        /// Sets VER_FLG_WEAK on every `.gnu.version_r` auxiliary entry named <paramref name="versionName"/>.
        /// The bytes are changed in place (a 2-byte flag field); nothing else moves.
        /// </summary>
        public static PatchResult MarkRequirementWeak(byte[] elf, string versionName)
        {
            var found = false;
            var changed = false;
            foreach (var section in Sections(elf))
            {
                if (section.Type != ShtGnuVerneed) continue;
                var strtab = SectionAt(elf, section.Link);
                var entry = section.Offset;
                for (var i = 0; i < section.Info; i++)
                {
                    CheckRange(elf, entry, 16, "verneed entry");
                    var count = ReadU16(elf, entry + 2);
                    var aux = entry + ReadU32(elf, entry + 8);
                    for (var j = 0; j < count; j++)
                    {
                        CheckRange(elf, aux, 16, "vernaux entry");
                        var name = ReadString(elf, strtab.Offset + ReadU32(elf, aux + 8), strtab);
                        if (name == versionName)
                        {
                            found = true;
                            var flags = ReadU16(elf, aux + 4);
                            if ((flags & VerFlagWeak) == 0)
                            {
                                WriteU16(elf, aux + 4, (ushort)(flags | VerFlagWeak));
                                changed = true;
                            }
                        }
                        aux += ReadU32(elf, aux + 12);
                    }
                    var next = ReadU32(elf, entry + 12);
                    if (next == 0) break;
                    entry += next;
                }
            }
            if (!found) return PatchResult.NotRequired;
            return changed ? PatchResult.Patched : PatchResult.AlreadyWeak;
        }

        /// <summary>True when the library's `.gnu.version_d` defines <paramref name="versionName"/>.</summary>
        public static bool DefinesVersion(byte[] elf, string versionName)
        {
            foreach (var section in Sections(elf))
            {
                if (section.Type != ShtGnuVerdef) continue;
                var strtab = SectionAt(elf, section.Link);
                var entry = section.Offset;
                for (var i = 0; i < section.Info; i++)
                {
                    CheckRange(elf, entry, 20, "verdef entry");
                    var count = ReadU16(elf, entry + 6);
                    var aux = entry + ReadU32(elf, entry + 12);
                    if (count > 0)
                    {
                        CheckRange(elf, aux, 8, "verdaux entry");
                        if (ReadString(elf, strtab.Offset + ReadU32(elf, aux), strtab) == versionName) return true;
                    }
                    var next = ReadU32(elf, entry + 16);
                    if (next == 0) break;
                    entry += next;
                }
            }
            return false;
        }

        /// <summary>Lists the version names required from other libraries, with their WEAK flag.</summary>
        public static System.Collections.Generic.List<Tuple<string, bool>> Requirements(byte[] elf)
        {
            var list = new System.Collections.Generic.List<Tuple<string, bool>>();
            foreach (var section in Sections(elf))
            {
                if (section.Type != ShtGnuVerneed) continue;
                var strtab = SectionAt(elf, section.Link);
                var entry = section.Offset;
                for (var i = 0; i < section.Info; i++)
                {
                    var count = ReadU16(elf, entry + 2);
                    var aux = entry + ReadU32(elf, entry + 8);
                    for (var j = 0; j < count; j++)
                    {
                        var name = ReadString(elf, strtab.Offset + ReadU32(elf, aux + 8), strtab);
                        list.Add(Tuple.Create(name, (ReadU16(elf, aux + 4) & VerFlagWeak) != 0));
                        aux += ReadU32(elf, aux + 12);
                    }
                    var next = ReadU32(elf, entry + 12);
                    if (next == 0) break;
                    entry += next;
                }
            }
            return list;
        }

        struct Section
        {
            public uint Type;
            public long Offset;
            public long Size;
            public uint Link;
            public uint Info;
        }

        static System.Collections.Generic.IEnumerable<Section> Sections(byte[] elf)
        {
            if (elf.Length < 64 || elf[0] != 0x7f || elf[1] != (byte)'E' || elf[2] != (byte)'L' || elf[3] != (byte)'F')
                throw new InvalidDataException("not an ELF file");
            if (elf[4] != 2 || elf[5] != 1)
                throw new InvalidDataException("only 64-bit little-endian ELF files are supported");
            var shoff = (long)ReadU64(elf, 0x28);
            var shentsize = ReadU16(elf, 0x3A);
            var shnum = ReadU16(elf, 0x3C);
            if (shentsize < 64) throw new InvalidDataException("bad section header size");
            for (var i = 0; i < shnum; i++)
                yield return ReadSection(elf, shoff + (long)i * shentsize);
        }

        static Section SectionAt(byte[] elf, uint index)
        {
            var shoff = (long)ReadU64(elf, 0x28);
            var shentsize = ReadU16(elf, 0x3A);
            var shnum = ReadU16(elf, 0x3C);
            if (index >= shnum) throw new InvalidDataException("section link out of range");
            return ReadSection(elf, shoff + (long)index * shentsize);
        }

        static Section ReadSection(byte[] elf, long at)
        {
            CheckRange(elf, at, 64, "section header");
            var s = new Section
            {
                Type = ReadU32(elf, at + 4),
                Offset = (long)ReadU64(elf, at + 24),
                Size = (long)ReadU64(elf, at + 32),
                Link = ReadU32(elf, at + 40),
                Info = ReadU32(elf, at + 44),
            };
            if (s.Type != 8 /* SHT_NOBITS */) CheckRange(elf, s.Offset, s.Size, "section");
            return s;
        }

        static string ReadString(byte[] elf, long at, Section strtab)
        {
            var end = at;
            var limit = strtab.Offset + strtab.Size;
            while (end < limit && elf[end] != 0) end++;
            if (end >= limit) throw new InvalidDataException("string outside the string table");
            return Encoding.ASCII.GetString(elf, (int)at, (int)(end - at));
        }

        static void CheckRange(byte[] elf, long at, long size, string what)
        {
            if (at < 0 || size < 0 || at + size > elf.Length) throw new InvalidDataException(what + " lies outside the file");
        }

        static ushort ReadU16(byte[] b, long at) { CheckRange(b, at, 2, "field"); return (ushort)(b[at] | b[at + 1] << 8); }
        static uint ReadU32(byte[] b, long at) { CheckRange(b, at, 4, "field"); return (uint)(b[at] | b[at + 1] << 8 | b[at + 2] << 16 | b[at + 3] << 24); }
        static ulong ReadU64(byte[] b, long at) => ReadU32(b, at) | (ulong)ReadU32(b, at + 4) << 32;
        static void WriteU16(byte[] b, long at, ushort v) { b[at] = (byte)v; b[at + 1] = (byte)(v >> 8); }
    }

#if !GRADSENTRY_ELF_TESTS && !GRADSENTRY_ELF_INTERNAL
    /// <summary>
    /// MSBuild task: copies <see cref="SourceFile"/> to <see cref="DestinationFile"/> and, when the
    /// host's libstdc++ lacks <see cref="VersionName"/> (or <see cref="Mode"/> is "always"), marks
    /// that requirement WEAK in the copy. The source (NuGet cache) is never written.
    /// </summary>
    public class PatchElfWeakVersion : Microsoft.Build.Utilities.Task
    {
        [Microsoft.Build.Framework.Required] public string SourceFile { get; set; }
        [Microsoft.Build.Framework.Required] public string DestinationFile { get; set; }
        [Microsoft.Build.Framework.Required] public string VersionName { get; set; }
        /// <summary>auto (patch only if the host lacks the version), always, never.</summary>
        public string Mode { get; set; }
        /// <summary>Library that provides the version (libstdc++.so.6); auto-detected when empty.</summary>
        public string HostLibrary { get; set; }
        [Microsoft.Build.Framework.Output] public bool Patched { get; set; }

        static readonly string[] HostCandidates =
        {
            "/usr/lib/x86_64-linux-gnu/libstdc++.so.6", "/lib/x86_64-linux-gnu/libstdc++.so.6",
            "/usr/lib64/libstdc++.so.6", "/lib64/libstdc++.so.6", "/usr/lib/libstdc++.so.6",
            "/usr/lib/aarch64-linux-gnu/libstdc++.so.6",
        };

        public override bool Execute()
        {
            try
            {
                var mode = string.IsNullOrEmpty(Mode) ? "auto" : Mode.ToLowerInvariant();
                var bytes = File.ReadAllBytes(SourceFile);
                var patch = mode == "always";
                if (mode == "auto")
                {
                    var host = string.IsNullOrEmpty(HostLibrary) ? Array.Find(HostCandidates, File.Exists) : HostLibrary;
                    // Unknown host (no glibc libstdc++ found): the WEAK flag is harmless where the version exists, so patch.
                    patch = host == null || !ElfVersioning.DefinesVersion(File.ReadAllBytes(host), VersionName);
                    Log.LogMessage(Microsoft.Build.Framework.MessageImportance.Low,
                        "GradSentry: host libstdc++ {0} {1} {2}.", host ?? "(not found)", patch ? "lacks" : "has", VersionName);
                }
                Patched = patch && ElfVersioning.MarkRequirementWeak(bytes, VersionName) == ElfVersioning.PatchResult.Patched;
                Directory.CreateDirectory(Path.GetDirectoryName(DestinationFile));
                var temp = DestinationFile + ".tmp";
                File.WriteAllBytes(temp, bytes);
                File.Copy(temp, DestinationFile, true);
                File.Delete(temp);
                if (Patched)
                    Log.LogMessage(Microsoft.Build.Framework.MessageImportance.Normal,
                        "GradSentry: marked {0} WEAK in {1}.", VersionName, DestinationFile);
                return true;
            }
            catch (Exception ex)
            {
                Log.LogError("GradSentry: could not prepare {0}: {1}", SourceFile, ex.Message);
                return false;
            }
        }
    }
#endif
}
