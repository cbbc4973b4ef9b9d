using System.Text;

namespace GradSentry.Tool.Formatters;

/// <summary>Text writers over report streams: UTF-8 without a byte-order mark, LF line ends, stream left open.</summary>
static class Utf8
{
    public static readonly UTF8Encoding NoBom = new(encoderShouldEmitUTF8Identifier: false);

    public static StreamWriter Writer(Stream output) => new(output, NoBom, bufferSize: 1 << 16, leaveOpen: true) { NewLine = "\n" };
}
