using System.Runtime.InteropServices;
using Microsoft.ML;
using Microsoft.ML.Data;

namespace MlNetMlp.Data;

/// <summary>The column names of the image data views this namespace produces.</summary>
public static class ImageDataColumns
{
    /// <summary>Key column (uint, 1-based raw values as ML.NET keys are) whose key values are the class names.</summary>
    public const string Label = "Label";

    /// <summary>Known-size Single vector with dimensions (height, width), raw pixel values 0..255.</summary>
    public const string Image = "Image";
}

/// <summary>
/// An <see cref="IDataView"/> over in-memory labeled grayscale images: column Label (key over the class
/// names) and column Image (height×width Single vector). Pixels are stored as bytes (IDX data) or floats
/// (decoded and resized files) and converted on read into the caller's reused VBuffer.
/// </summary>
internal sealed class ImageDataView<TPixel> : IDataView
    where TPixel : unmanaged
{
    private readonly TPixel[] _pixels;
    private readonly int[] _labels;
    private readonly int _imageSize;

    public ImageDataView(TPixel[] pixels, int[] labels, int height, int width, IReadOnlyList<string> classNames)
    {
        if (typeof(TPixel) != typeof(byte) && typeof(TPixel) != typeof(float))
            throw new NotSupportedException($"Pixels must be byte or float, not {typeof(TPixel).Name}.");
        ArgumentNullException.ThrowIfNull(pixels);
        ArgumentNullException.ThrowIfNull(labels);
        ArgumentNullException.ThrowIfNull(classNames);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(height);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(width);
        if (classNames.Count == 0)
            throw new ArgumentException("At least one class name is required.", nameof(classNames));
        _imageSize = checked(height * width);
        if ((long)labels.Length * _imageSize != pixels.Length)
            throw new ArgumentException($"{pixels.Length} pixels do not make {labels.Length} images of {height}×{width}.", nameof(pixels));
        for (int i = 0; i < labels.Length; i++)
            if ((uint)labels[i] >= (uint)classNames.Count)
                throw new ArgumentException($"Label {labels[i]} of row {i} is outside 0..{classNames.Count - 1}.", nameof(labels));

        _pixels = pixels;
        _labels = labels;
        Schema = BuildSchema(height, width, classNames);
    }

    public bool CanShuffle => true;

    public DataViewSchema Schema { get; }

    public long? GetRowCount() => _labels.Length;

    public DataViewRowCursor GetRowCursor(IEnumerable<DataViewSchema.Column> columnsNeeded, Random? rand = null)
    {
        ArgumentNullException.ThrowIfNull(columnsNeeded);
        var active = new bool[Schema.Count];
        foreach (var column in columnsNeeded)
        {
            if (column.Index >= Schema.Count || Schema[column.Index].Name != column.Name)
                throw new ArgumentException($"Column '{column.Name}' does not belong to this data view's schema.", nameof(columnsNeeded));
            active[column.Index] = true;
        }
        return new Cursor(this, active, rand is null ? null : Permutation(_labels.Length, rand));
    }

    public DataViewRowCursor[] GetRowCursorSet(IEnumerable<DataViewSchema.Column> columnsNeeded, int n, Random? rand = null) =>
        [GetRowCursor(columnsNeeded, rand)];

    internal static DataViewSchema BuildSchema(int height, int width, IReadOnlyList<string> classNames)
    {
        var names = classNames.Select(n => n.AsMemory()).ToArray();
        var keyValues = new DataViewSchema.Annotations.Builder();
        ValueGetter<VBuffer<ReadOnlyMemory<char>>> getNames = (ref VBuffer<ReadOnlyMemory<char>> dst) =>
        {
            var editor = VBufferEditor.Create(ref dst, names.Length);
            names.CopyTo(editor.Values);
            dst = editor.Commit();
        };
        // ML.NET's own key-values annotation ("KeyValues": a text vector as long as the key has values).
        keyValues.Add("KeyValues", new VectorDataViewType(TextDataViewType.Instance, names.Length), getNames);
        var builder = new DataViewSchema.Builder();
        builder.AddColumn(ImageDataColumns.Label, new KeyDataViewType(typeof(uint), names.Length), keyValues.ToAnnotations());
        builder.AddColumn(ImageDataColumns.Image, new VectorDataViewType(NumberDataViewType.Single, height, width));
        return builder.ToSchema();
    }

    private static int[] Permutation(int count, Random rand)
    {
        var order = new int[count];
        for (int i = 0; i < count; i++) order[i] = i;
        for (int i = count - 1; i > 0; i--)
        {
            int j = rand.Next(i + 1);
            (order[i], order[j]) = (order[j], order[i]);
        }
        return order;
    }

    private sealed class Cursor : DataViewRowCursor
    {
        private const int LabelIndex = 0;
        private const int ImageIndex = 1;

        private readonly ImageDataView<TPixel> _view;
        private readonly bool[] _active;
        private readonly int[]? _order;
        private long _position = -1;
        private int _row = -1;
        private bool _disposed;

        public Cursor(ImageDataView<TPixel> view, bool[] active, int[]? order)
        {
            _view = view;
            _active = active;
            _order = order;
        }

        public override DataViewSchema Schema => _view.Schema;

        public override long Position => _position;

        public override long Batch => 0;

        public override bool IsColumnActive(DataViewSchema.Column column) =>
            column.Index < _active.Length && _active[column.Index];

        public override bool MoveNext()
        {
            if (_disposed || _position + 1 >= _view._labels.Length)
            {
                _row = -1;
                return false;
            }
            _position++;
            _row = _order is null ? (int)_position : _order[_position];
            return true;
        }

        public override ValueGetter<DataViewRowId> GetIdGetter() => (ref DataViewRowId value) =>
        {
            // The id of the underlying row, so it is stable across shuffled and unshuffled cursors.
            value = new DataViewRowId((ulong)CurrentRow(), 0);
        };

        public override ValueGetter<TValue> GetGetter<TValue>(DataViewSchema.Column column)
        {
            if (column.Index >= _active.Length || Schema[column.Index].Name != column.Name)
                throw new ArgumentOutOfRangeException(nameof(column), $"Column '{column.Name}' does not belong to this cursor's schema.");
            if (!_active[column.Index])
                throw new InvalidOperationException($"Column '{column.Name}' was not requested when the cursor was created.");

            Delegate getter = column.Index switch
            {
                LabelIndex when typeof(TValue) == typeof(uint) => (ValueGetter<uint>)GetLabel,
                ImageIndex when typeof(TValue) == typeof(VBuffer<float>) => (ValueGetter<VBuffer<float>>)GetImage,
                _ => throw new InvalidOperationException(
                    $"Column '{column.Name}' has type {column.Type} and cannot be read as {typeof(TValue).Name}."),
            };
            return (ValueGetter<TValue>)getter;
        }

        private void GetLabel(ref uint value) => value = (uint)_view._labels[CurrentRow()] + 1;

        private void GetImage(ref VBuffer<float> value)
        {
            int size = _view._imageSize;
            var source = _view._pixels.AsSpan(CurrentRow() * size, size);
            var editor = VBufferEditor.Create(ref value, size);
            if (typeof(TPixel) == typeof(float))
            {
                MemoryMarshal.Cast<TPixel, float>(source).CopyTo(editor.Values);
            }
            else
            {
                var bytes = MemoryMarshal.Cast<TPixel, byte>(source);
                var values = editor.Values;
                for (int i = 0; i < bytes.Length; i++) values[i] = bytes[i];
            }
            value = editor.Commit();
        }

        private int CurrentRow()
        {
            if (_row < 0)
                throw new InvalidOperationException(_disposed ? "The cursor has been disposed." : "The cursor is not on a row: call MoveNext first and check that it returned true.");
            return _row;
        }

        protected override void Dispose(bool disposing)
        {
            _disposed = true;
            _row = -1;
            base.Dispose(disposing);
        }
    }
}
